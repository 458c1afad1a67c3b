from __future__ import annotations

import pytest

from clauderon import names
from clauderon.errors import UsageError


@pytest.mark.parametrize("bad", ["", ".", "..", "a/b", "-x", "has space", "tab\there",
                                 "new\nline", "nul\x00", "bell\x07", "zw\u200bsp", "x" * 201])
def test_bad_names_are_usage_errors(bad: str) -> None:
    with pytest.raises(UsageError) as err:
        names.check(bad)
    assert err.value.exit_code == 2
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("good", ["api-fix-auth", "app", "app-2", "ünï-cödé", "a.b", "x_y"])
def test_good_names_pass(good: str) -> None:
    names.check(good)


def test_full_name() -> None:
    assert names.full_name("fix-auth", "api") == "api-fix-auth"
    assert names.full_name("fix-auth", None) == "fix-auth"


def test_not_found_lists_close_matches() -> None:
    msg = names.not_found_message("api-fix", ["api-fix-auth", "web", "zzz"])
    assert "did you mean api-fix-auth" in msg
