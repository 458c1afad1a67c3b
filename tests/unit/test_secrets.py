"""secrets.mask: proxy passwords with and without a scheme, and nothing else."""

from __future__ import annotations

import time

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from masking_rule import reference, reference_passwords

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
    # after a scheme, up to the last '@' of the line: a password may hold '/', so a path
    # holding '@' is masked too (more than needed, never less)
    ("http://proxy:8080/path@x", "http://proxy:***@x"),
    ("https://example.com/a@b", "https://example.com/a@b"),
    # passwords as people write them: base64, spaces, '#', URL-reserved characters
    ("http://u:ab/c+d==@h:1", "http://u:***@h:1"),
    ("http://u:a b#c?d@h:1 tail", "http://u:***@h:1 tail"),
    ("u:ab/c+d==@h:1", "u:***@h:1"),
    ("export http_proxy='http://u:x/y@h:1'", "export http_proxy='http://u:***@h:1'"),
    ("a:b@c,http://u:p@h", "a:***@c,http://u:***@h"),
    ("http://u:p@h\nhttp://v:q@i", "http://u:***@h\nhttp://v:***@i"),
    ("http://u:p@h:1 and then x@y", "http://u:***@y"),
    ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
    ("alice@example.com", "alice@example.com"),
    ("config.toml:3:5: unknown key 'x@y'", "config.toml:3:5: unknown key 'x@y'"),
    (f"ubuntu:22.04@{DIGEST}", f"ubuntu:22.04@{DIGEST}"),
    (f"ghcr.io/org/img:1.2@{DIGEST} x", f"ghcr.io/org/img:1.2@{DIGEST} x"),
    ("", ""),
])
def test_table(text: str, shown: str) -> None:
    assert mask(text) == shown


@pytest.mark.parametrize(("value", "shown"), [
    ("carol:pass word@127.0.0.1:9", "carol:***@127.0.0.1:9"),
    ("u:a b c@h", "u:***@h"),
    ("http://u:a b@h:1", "http://u:***@h:1"),
    ("localhost, 127.0.0.1", "localhost, 127.0.0.1"),
    ("user@host x:y", "user@host x:y"),
    (f"img:1 x@{DIGEST}", f"img:1 x@{DIGEST}"),
    ("carol:K9://Z3@127.0.0.1:9", "carol:***@127.0.0.1:9"),
    ("http://u:a://b c@h:1", "http://u:***@h:1"),
    ("see http://u:p@h", "see http:***@h"),  # more than needed, never less
])
def test_a_whole_value_is_one_address(value: str, shown: str) -> None:
    """A variable's or a setting's value: an address without a scheme is all of it."""
    assert mask(value, whole=True) == shown
    assert mask_env({"V": value}) == {"V": shown}


def test_mask_env_and_secrets_in() -> None:
    env = {"http_proxy": "alice:pw1@h:1", "HTTPS_PROXY": "http://bob:pw2@h:2",
           "ALL_PROXY": "carol@h:3", "no_proxy": "localhost,127.0.0.1,.corp", "E": "u:@h"}
    assert mask_env(env) == {"http_proxy": "alice:***@h:1", "HTTPS_PROXY": "http://bob:***@h:2",
                             "ALL_PROXY": "carol@h:3", "no_proxy": "localhost,127.0.0.1,.corp",
                             "E": "u:***@h"}
    assert secrets_in(env) == ["pw1", "pw2"]


# -- the rule, written the plain way (tests/masking_rule.py) -------------------------------


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1:/@ \t\n.[],=x'é+")), max_size=40))
@example("a:b@c@d e:f@g")
@example("user:pw@[::1]:3128")
@example(f"i:t@{DIGEST}")
@example("a://b:c/d@e a:b@c")
@example("x:y@z http://a:b@c")
def test_mask_follows_the_rule(text: str) -> None:
    assert mask(text) == reference(text)
    if "://" not in text and not any(ch.isspace() for ch in text):  # (secrets_in reads
        # each value as a whole: see test_a_whole_value_is_one_address)
        assert secrets_in({"v": text}) == reference_passwords(text)


@settings(max_examples=500, deadline=None)
@given(user=st.text(alphabet=st.characters(exclude_characters=":/@", exclude_categories=("Z",
                                                                                       "Cc")),
                    max_size=12),
       pw=st.text(alphabet=st.characters(exclude_categories=("Z", "Cc")), min_size=1,
                  max_size=20),
       host=st.sampled_from(["proxy", "proxy.corp:3128", "[::1]:3128", "10.0.0.1:8080"]),
       scheme=st.sampled_from(["", "http://", "socks5h://"]),
       prefix=st.sampled_from(["", "http_proxy=", "export HTTPS_PROXY='", "-e "]))
def test_no_password_survives(user: str, pw: str, host: str, scheme: str, prefix: str) -> None:
    """Whatever the password holds (':', '@', '/', '#' included; no whitespace: without a
    scheme a space ends the address), it is gone from the masked text."""
    # Without a scheme, "user://x@h" (or "u:pw://x@h") is an address with a scheme (as
    # urllib and curl read it), whose user "x" has no password.
    assume(scheme or "://" not in f"{user}:{pw}")
    text = f"{prefix}{scheme}{user}:{pw}@{host}"
    shown = mask(text)
    assert shown == f"{prefix}{scheme}{user}:***@{host}", (text, shown)


@settings(max_examples=500, deadline=None)
@given(pw=st.text(alphabet=st.characters(exclude_characters="\n", exclude_categories=("Cs",)),
                  min_size=1, max_size=20),
       scheme=st.sampled_from(["http://", "socks5h://", "HTTPS://"]),
       suffix=st.sampled_from(["", "/", " (from $http_proxy) is fine", "'", '",']))
def test_no_password_after_a_scheme_survives(pw: str, scheme: str, suffix: str) -> None:
    """After a scheme, whitespace, quotes, '#' and '/' in a password change nothing."""
    text = f"{scheme}user:{pw}@proxy:3128{suffix}"
    assert mask(text) == f"{scheme}user:***@proxy:3128{suffix}", text


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
