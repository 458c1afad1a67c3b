"""proxyurl: one rule for proxy addresses (config file and doctor), and where a key's value
is in the TOML text."""

from __future__ import annotations

import pytest

from clauderon.proxyurl import Endpoint, endpoint, locate, problem
from clauderon.secrets import mask


@pytest.mark.parametrize(("url", "level"), [
    ("http://proxy:3128", None), ("socks5h://u:p%2Fw@10.0.0.1:1080", None),
    ("https://[::1]:8443/", None), ("http://прокси.рф:3128", None),
    ("proxy:3128", "warning"), ("http://proxy:3128/some/path", "warning"),
    ("", "error"), ("   ", "error"), ("not a url", "error"), ("http://not a url:80", "error"),
    ("gopher://proxy:70", "error"), ("http://:3128", "error"), ("http://proxy:0", "error"),
    ("http://proxy:http", "error"), ("http://proxy:99999", "error"),
    ("http://u:pa/ss@h:1", "error"), ("http://u:p#w@h:1", "error"),
    ("http://u:p w@h:1", "error"), ("http://h\x1b[31m:1", "error"), ("http://[zz]:1", "error"),
    ("http://h;touch x:1", "error"), ("http://$(id):1", "error"), ("1http://h:1", "error"),
])
def test_problem(url: str, level: str | None) -> None:
    found = problem(url)
    assert (found.level if found else None) == level, found


@pytest.mark.parametrize("url", ["http://u:K9vw/x@h:1", "http://u:K9vw#@h:1",
                                 "http://u:K9vw?x@h:1", "http://u:K9vw x@h:1",
                                 "u:K9vw/x@h:x"])
def test_no_message_quotes_a_password(url: str) -> None:
    found = problem(url)
    assert found is not None and "K9vw" not in found.what and "@" not in found.what


def test_endpoint() -> None:
    assert endpoint("http://u:p@proxy") == Endpoint("http", "proxy", 80)
    assert endpoint("socks5h://[::1]:9") == Endpoint("socks5h", "::1", 9)
    assert endpoint("proxy:3128") == Endpoint("http", "proxy", 3128)
    assert endpoint("not a url") is None and endpoint("http://h:0") is None


@pytest.mark.parametrize(("text", "where"), [
    ('[proxy]\nhttps = "x"\n', (2, 9)),
    ('# c\n\n[proxy]\nno_proxy = []\n  https  =  "x"\n', (5, 13)),
    ('[zellij]\nhttps = "y"\n[proxy]\nhttps="x"\n', (4, 7)),
    ('proxy.https = "x"\n', (1, 15)),
    ('[ proxy ]\n"https" = "x"\n', (2, 11)),
    ("[proxy]\n", (1, 1)),
])
def test_locate(text: str, where: tuple[int, int]) -> None:
    assert locate(text, "proxy", "https") == where


def test_masked_messages_stay_readable() -> None:
    found = problem("http://u:pa/ss@h:1")
    assert found is not None
    line = mask(f"f:2:8: proxy.http = 'http://u:pa/ss@h:1' {found.what}")
    assert line.startswith("f:2:8: proxy.http = 'http://u:***@h:1' is not a valid URL")
