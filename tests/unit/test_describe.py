"""proc.describe: commands shown in messages are quoted only where a shell needs it (a name
like `café-ü` stays bare), read back exactly by real bash and zsh, with proxy passwords
masked."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from realtools import require

from clauderon.proc import describe

# ASCII specials, and characters of other scripts: letters (bare), combining marks, spaces
# and separators of Unicode, an emoji, a fullwidth letter (quoted unless a letter or digit).
CHARS = [*"ab_%+=:,./-1 ", "'", '"', "$", "\n", "\t", "*", "~", "!", "#", "&", ";", "\\",
         "(", "`", "{", "[", "é", "ü", "ß", "漢", "й", "١", "\u0301", "\u00a0", "\u2028",
         "🚀", "Ａ", "\u200b"]
argvs = st.lists(st.text(st.sampled_from(CHARS), max_size=8), min_size=1, max_size=4)


def read_back(shell: str, text: str) -> list[str]:
    """The words ``shell`` makes of ``text`` (printed NUL-separated by printf)."""
    done = subprocess.run([shell, "-c", f"printf '%s\\0' {text}"], capture_output=True,
                          check=True, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
                                           "HOME": "/nonexistent"})
    return done.stdout.decode("utf-8").split("\0")[:-1]


@pytest.mark.parametrize("shell", ["bash", "zsh"])
@settings(max_examples=150, deadline=None)
@given(argv=argvs)
def test_real_shells_read_it_back_exactly(shell: str, argv: list[str]) -> None:
    path = require(f"/usr/bin/{shell}" if shell == "zsh" else "/bin/bash",
                   "describe's quoting is checked against real shells")
    assert read_back(path, describe(argv)) == argv


def test_examples() -> None:
    assert describe(["clauderon", "attach", "api-fix"]) == "clauderon attach api-fix"
    assert describe(["clauderon", "attach", "café-ü"]) == "clauderon attach café-ü"
    assert describe(["clauderon", "attach", "漢字"]) == "clauderon attach 漢字"
    assert describe(["clauderon", "attach", "it's"]) == "clauderon attach 'it'\\''s'"
    assert describe(["clauderon", "attach", ""]) == "clauderon attach ''"
    assert describe(["clauderon", "attach", "a b"]) == "clauderon attach 'a b'"
    # zsh's =command and fish's %self expansions: quoted
    assert describe(["echo", "=ls", "%self"]) == "echo '=ls' '%self'"
    # a combining accent or a no-break space is not a letter: quoted
    assert describe(["x", "e\u0301", "a\u00a0b"]) == "x 'e\u0301' 'a\u00a0b'"
    assert (describe(["env", "http_proxy=http://u:pw@proxy:3128"])
            == "env http_proxy=http://u:***@proxy:3128")
