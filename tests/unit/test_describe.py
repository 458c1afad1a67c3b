"""proc.describe: commands shown in messages read as shlex.join would write them, with proxy
passwords masked (it skips shlex and the masker when neither can change anything)."""

from __future__ import annotations

import shlex

from hypothesis import given, settings
from hypothesis import strategies as st

from clauderon.proc import describe
from clauderon.secrets import mask

CHARS = [*"ab_@%+=:,./-1é ", "'", '"', "$", "\n", "\t", "*"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.text(st.sampled_from(CHARS), max_size=10), max_size=5))
def test_describe_is_masked_shlex_join(argv: list[str]) -> None:
    assert describe(argv) == mask(shlex.join(argv))


def test_examples() -> None:
    assert describe(["clauderon", "attach", "api-fix"]) == "clauderon attach api-fix"
    assert describe(["clauderon", "attach", "it's"]) == "clauderon attach 'it'\"'\"'s'"
    assert describe(["clauderon", "attach", ""]) == "clauderon attach ''"
    assert (describe(["env", "http_proxy=http://u:pw@proxy:3128"])
            == "env http_proxy=http://u:***@proxy:3128")
