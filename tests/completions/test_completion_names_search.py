"""The bash script finds the names that start with what was typed by binary search over the
sorted names cache: for any set of names and any prefix, it must offer exactly the names a
plain filter finds, in order, with none lost at the ends of the run or between runs."""

from __future__ import annotations

import os
from pathlib import Path

from completion_harness import complete_bash, write_names_cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clauderon import sessions

EXAMPLES = max(20, int(os.environ.get("CLAUDERON_HYPOTHESIS_EXAMPLES", "200")) // 10)
# Characters a name may hold that need no quoting on a command line, UTF-8 ones included, so
# that byte order and code point order both matter.
FIRST = "abZ0é✓"
REST = "ab-_.0Zé✓@%+"
names_st = st.lists(
    st.builds(lambda f, r: f + r, st.sampled_from(FIRST), st.text(REST, max_size=6)),
    max_size=60, unique=True)


def _prefixes(names: list[str], extra: list[str]) -> list[str]:
    cut = [n[:k] for n in names[:8] for k in range(1, len(n) + 1)]
    return sorted(set(cut + extra))


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
# (a word starting with '-' completes options, not names: no prefix starts with one)
@given(names=names_st,
       extra=st.lists(st.text(FIRST + REST, min_size=1, max_size=4).filter(
           lambda p: not p.startswith("-")), max_size=6))
def test_bash_offers_exactly_the_names_with_the_prefix(bash: str, env: dict[str, str],
                                                       names: list[str],
                                                       extra: list[str]) -> None:
    write_names_cache(Path(env["XDG_CACHE_HOME"]) / "clauderon" / "names", names)
    prefixes = _prefixes(names, extra)
    lines = [f"clauderon attach {p}" for p in prefixes]
    got = complete_bash(bash, lines, env)
    for prefix, line in zip(prefixes, lines, strict=True):
        want = [n for n in sorted(names) if n.startswith(prefix)]
        assert got[line][0] == want, (prefix, names)


def test_clauderon_writes_the_cache_sorted_by_code_point(env: dict[str, str]) -> None:
    class Rec:
        def __init__(self, name: str) -> None:
            self.name = name

    names = ["web-2", "Zeta", "api", "é-1", "api-2", "✓", "0x", "b"]
    sessions.refresh_names_cache(None, env, [Rec(n) for n in names])  # type: ignore[arg-type,list-item]
    cache = Path(env["XDG_CACHE_HOME"]) / "clauderon" / "names"
    lines = cache.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(names)
    assert [n.encode() for n in lines] == sorted(n.encode() for n in names)  # = byte order
