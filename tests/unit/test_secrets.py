"""secrets.mask: proxy passwords with and without a scheme, and nothing else."""

from __future__ import annotations

import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clauderon.secrets import mask, mask_env, secrets_in

DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize(("text", "shown"), [
    # with a scheme
    ("http://user:pw@proxy:3128", "http://user:***@proxy:3128"),
    ("socks5h://u:p%40ss@h:1080/", "socks5h://u:***@h:1080/"),
    ("http://u:@h:1", "http://u:***@h:1"),
    ("http://user@proxy:3128", "http://user@proxy:3128"),
    # without a scheme
    ("user:pw@host:3128", "user:***@host:3128"),
    ("user:pw@[::1]:3128", "user:***@[::1]:3128"),
    ("user:pw@[2001:db8::1]", "user:***@[2001:db8::1]"),
    ("user:p:w@host", "user:***@host"),
    ("user:p@ss@host:3128", "user:***@host:3128"),  # urllib takes the last '@' too
    ("dom\\user:pw@host", "dom\\user:***@host"),
    (":pw@host", ":***@host"),
    ("user@host", "user@host"),
    ("user@host:3128", "user@host:3128"),
    ("user@[::1]:3128", "user@[::1]:3128"),
    # inside longer text: env files, command lines, reports, JSON
    ("export http_proxy='user:pw@h:1'", "export http_proxy='user:***@h:1'"),
    ("set -gx https_proxy 'user:pw@h:1'", "set -gx https_proxy 'user:***@h:1'"),
    ("tmux new-session -e 'http_proxy=u:pw@h:1' -e 'B=v:q@i'",
     "tmux new-session -e 'http_proxy=u:***@h:1' -e 'B=v:***@i'"),
    ('{"http_proxy": "u:pw@h:1", "no_proxy": "localhost"}',
     '{"http_proxy": "u:***@h:1", "no_proxy": "localhost"}'),
    ("HTTP_PROXY changed from 'u:pw@h:1' to 'http://u:pw@h:2'",
     "HTTP_PROXY changed from 'u:***@h:1' to 'http://u:***@h:2'"),
    # nothing to hide: left exactly as it was
    ("host:3128", "host:3128"),
    ("[::1]:3128", "[::1]:3128"),
    ("localhost,127.0.0.1,.corp", "localhost,127.0.0.1,.corp"),
    ("localhost,127.0.0.1,::1,.corp,10.0.0.0/8,*.example.com:8080",
     "localhost,127.0.0.1,::1,.corp,10.0.0.0/8,*.example.com:8080"),
    ("http://proxy.corp:8080/", "http://proxy.corp:8080/"),
    ("http://proxy:8080/path@x", "http://proxy:8080/path@x"),
    ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
    ("alice@example.com", "alice@example.com"),
    ("config.toml:3:5: unknown key 'x@y'", "config.toml:3:5: unknown key 'x@y'"),
    (f"ubuntu:22.04@{DIGEST}", f"ubuntu:22.04@{DIGEST}"),
    (f"ghcr.io/org/img:1.2@{DIGEST} x", f"ghcr.io/org/img:1.2@{DIGEST} x"),
    ("", ""),
])
def test_table(text: str, shown: str) -> None:
    assert mask(text) == shown


def test_mask_env_and_secrets_in() -> None:
    env = {"http_proxy": "alice:pw1@h:1", "HTTPS_PROXY": "http://bob:pw2@h:2",
           "ALL_PROXY": "carol@h:3", "no_proxy": "localhost,127.0.0.1,.corp", "E": "u:@h"}
    assert mask_env(env) == {"http_proxy": "alice:***@h:1", "HTTPS_PROXY": "http://bob:***@h:2",
                             "ALL_PROXY": "carol@h:3", "no_proxy": "localhost,127.0.0.1,.corp",
                             "E": "u:***@h"}
    assert secrets_in(env) == ["pw1", "pw2"]


# -- the rule, written the plain way --------------------------------------------------------


def reference(text: str) -> str:
    """Split into runs (no whitespace, no '/'); in a run, the user information is what comes
    before its last '@' and the password what follows its first ':' (as urllib reads a
    netloc). Quadratic, obviously right."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        word = "".join(run)
        head, at, rest = word.rpartition("@")
        user, colon, _pw = head.partition(":")
        if at and colon and not _is_digest(rest):
            word = f"{user}:***@{rest}"
        out.append(word)
        run.clear()

    for ch in text:
        if ch.isspace() or ch == "/":
            flush()
            out.append(ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def _is_digest(rest: str) -> bool:
    lengths = {"sha256:": 64, "sha384:": 96, "sha512:": 128}
    for prefix, n in lengths.items():
        if rest.startswith(prefix):
            hexpart = rest[len(prefix):len(prefix) + n]
            after = rest[len(prefix) + n:len(prefix) + n + 1]
            return (len(hexpart) == n and all(c in "0123456789abcdef" for c in hexpart)
                    and not (after.isascii() and after.isalnum()))
    return False


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1:/@ \t.[],=x'é")), max_size=40))
@example("a:b@c@d e:f@g")
@example("user:pw@[::1]:3128")
@example(f"i:t@{DIGEST}")
def test_mask_follows_the_rule(text: str) -> None:
    assert mask(text) == reference(text)


@settings(max_examples=500, deadline=None)
@given(user=st.text(alphabet=st.characters(exclude_characters=":/@", exclude_categories=("Z",
                                                                                       "Cc")),
                    max_size=12),
       pw=st.text(alphabet=st.characters(exclude_characters="/", exclude_categories=("Z", "Cc")),
                  min_size=1, max_size=20),
       host=st.sampled_from(["proxy", "proxy.corp:3128", "[::1]:3128", "10.0.0.1:8080"]),
       scheme=st.sampled_from(["", "http://", "socks5h://"]),
       prefix=st.sampled_from(["", "http_proxy=", "export HTTPS_PROXY='", "-e "]))
def test_no_password_survives(user: str, pw: str, host: str, scheme: str, prefix: str) -> None:
    """Whatever the password holds (':' or '@' included, but no whitespace or '/', which a
    proxy address cannot carry unencoded), it is gone from the masked text."""
    text = f"{prefix}{scheme}{user}:{pw}@{host}"
    shown = mask(text)
    assert shown == f"{prefix}{scheme}{user}:***@{host}", (text, shown)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(exclude_characters="@,", exclude_categories=(
    "Z", "Cc")), min_size=1, max_size=15), max_size=8))
def test_no_proxy_lists_and_plain_addresses_are_untouched(items: list[str]) -> None:
    text = ",".join(items)
    assert mask(text) == text


def test_mask_is_linear() -> None:
    for text in ("x" * 1_000_000, "a:" * 500_000 + "@", "a:" + "b" * 1_000_000,
                 "\t:" * 500_000 + "@", "h://u:" * 150_000, ":@" * 500_000,
                 "a:" + "@x" * 500_000, "u:p@" + "h" * 1_000_000):
        start = time.perf_counter()
        mask(text)
        assert time.perf_counter() - start < 2, text[:10]
