"""proxy.config and proxy.reachable: real URLs, real sockets."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from clauderon.doctor.checks.proxy import check_url, uncovered_loopback
from tests.doctor.world import Listener, World, free_port

CONFIG = ("--check", "proxy.config")
REACH = ("--check", "proxy.reachable")


def test_no_proxy_is_fine_and_reachability_skipped(world: World) -> None:
    run = world.doctor(*CONFIG, *REACH)

    assert run.check("proxy.config")["status"] == "ok"
    assert run.check("proxy.config")["summary"].startswith("no proxy is set")
    assert run.check("proxy.reachable")["status"] == "skipped"


def test_valid_proxy_with_no_proxy(world: World, listener: Listener) -> None:
    url = f"http://127.0.0.1:{listener.port}"
    run = world.doctor(*CONFIG, *REACH, env={
        "http_proxy": url, "HTTP_PROXY": url, "no_proxy": "localhost,127.0.0.0/8,[::1]"})

    assert run.check("proxy.config")["status"] == "ok"
    assert run.check("proxy.config")["summary"] == (f"http_proxy={url}; NO_PROXY covers "
                                                    "loopback")
    item = run.check("proxy.reachable")
    assert item["status"] == "ok"
    assert item["summary"] == (f"connected to 127.0.0.1:{listener.port} (http_proxy) "
                               "within 1s")


def test_bad_scheme_and_port_are_errors(world: World) -> None:
    # (in the config file they are config errors: tests/adversarial/test_injection.py)
    run = world.doctor(*CONFIG, env={"http_proxy": "ftp://proxy.example:21",
                                     "https_proxy": "http://proxy.example:99999",
                                     "no_proxy": "localhost,127.0.0.1,::1"})
    item = run.check("proxy.config")

    assert item["status"] == "error"
    assert item["summary"] == ("http_proxy = ftp://proxy.example:21 (from $http_proxy) "
                               "has scheme 'ftp'; use one of http, https, socks4, "
                               "socks4a, socks5, socks5h")
    assert any("https_proxy = http://proxy.example:99999" in d and "1 to 65535" in d
               for d in item["details"])
    assert item["remedy"].startswith("export http_proxy=http://HOST:PORT")
    assert run.returncode == 1


def test_schemeless_proxy_warns_with_the_fixed_url(world: World) -> None:
    run = world.doctor(*CONFIG, env={"http_proxy": "proxy.example:3128",
                                     "no_proxy": "localhost,127.0.0.1,::1"})
    item = run.check("proxy.config")

    assert item["status"] == "warning"
    assert "has no scheme" in item["summary"]
    assert item["remedy"] == ("export http_proxy=http://proxy.example:3128 "
                              "HTTP_PROXY=http://proxy.example:3128")


def test_letter_cases_that_disagree_warn(world: World) -> None:
    run = world.doctor(*CONFIG, env={"http_proxy": "http://a.example:1",
                                     "HTTP_PROXY": "http://b.example:2",
                                     "no_proxy": "localhost,127.0.0.1,::1"})
    item = run.check("proxy.config")

    assert item["status"] == "warning"
    assert item["summary"].startswith("HTTP_PROXY and http_proxy differ")
    assert item["remedy"] == 'export HTTP_PROXY="$http_proxy"'


def test_no_proxy_missing_loopback_warns_and_masks_passwords(world: World) -> None:
    run = world.doctor(*CONFIG, env={"https_proxy": "http://u:pa55word@proxy.example:3128",
                                     "NO_PROXY": "localhost,.internal"})
    item = run.check("proxy.config")

    assert item["status"] == "warning"
    assert item["summary"] == ("NO_PROXY does not cover 127.0.0.1, ::1: requests to this "
                               "machine go through the proxy")
    assert item["remedy"] == ("export no_proxy=localhost,.internal,127.0.0.1,::1 "
                              "NO_PROXY=localhost,.internal,127.0.0.1,::1")
    assert "pa55word" not in run.stdout


def test_unreachable_proxy_is_an_error(world: World) -> None:
    port = free_port()
    run = world.doctor(*REACH, env={"http_proxy": f"http://127.0.0.1:{port}"})
    item = run.check("proxy.reachable")

    assert item["status"] == "error"
    assert item["summary"] == (f"cannot connect to proxy 127.0.0.1:{port} (http_proxy): "
                               "Connection refused")
    assert item["remedy"].startswith(f"curl -sS -o /dev/null -x http://127.0.0.1:{port} ")
    assert run.returncode == 1


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port whose accept queue is full: a new connection's SYN goes unanswered."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(4):
        client = socket.socket()
        client.setblocking(False)
        try:
            client.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(client)
    time.sleep(0.1)
    try:
        yield port
    finally:
        for client in fillers:
            client.close()
        server.close()


def test_proxy_that_never_answers_times_out_within_a_second(world: World,
                                                            black_hole: int) -> None:
    start = time.monotonic()
    run = world.doctor(*REACH, env={"http_proxy": f"http://127.0.0.1:{black_hole}"})
    item = run.check("proxy.reachable")

    assert item["status"] == "error"
    assert item["summary"].endswith("timed out after 1s")
    assert time.monotonic() - start < 10


@pytest.mark.parametrize(("url", "verdict"), [
    ("http://proxy:3128", None),
    ("socks5h://10.0.0.1:1080", None),
    ("https://[::1]:8443/", None),
    ("proxy:3128", "warning"),
    ("http://proxy:3128/some/path", "warning"),
    ("gopher://proxy:70", "error"),
    ("http://:3128", "error"),
    ("http://proxy:0", "error"),
    ("http://proxy:http", "error"),
    ("", "error"),
])
def test_check_url(url: str, verdict: str | None) -> None:
    result = check_url(url)
    assert (result[0] if result else None) == verdict


@pytest.mark.parametrize(("no_proxy", "missing"), [
    ("", ["localhost", "127.0.0.1", "::1"]),
    ("*", []),
    ("localhost,127.0.0.1,::1", []),
    ("LOCALHOST, 127.0.0.0/8, [::1]", []),
    (".localhost,127.0.0.1", ["::1"]),
    ("example.com,::1/128", ["localhost", "127.0.0.1"]),
])
def test_uncovered_loopback(no_proxy: str, missing: list[str]) -> None:
    assert uncovered_loopback(no_proxy) == missing
