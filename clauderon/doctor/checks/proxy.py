"""Proxy: the proxy URLs sessions get are valid, agree across letter cases, spare loopback,
and can be reached. (proxy.propagation, end to end through a real shell, is in
propagation.py.)"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Mapping

from clauderon.doctor.checks import _live
from clauderon.doctor.context import Context
from clauderon.doctor.model import Check, Result, error, ok, skipped, warning
from clauderon.proxyurl import Endpoint, endpoint
from clauderon.secrets import mask
from clauderon.shellquote import quote_word, shell_kind

URL_VARS = ("http_proxy", "https_proxy", "all_proxy")
CONNECT_TIMEOUT = 1.0


def session_proxies(ctx: Context) -> dict[str, str]:
    """The proxy variables (lower-case names) a new session of the default backend gets."""
    from clauderon.session_env import PROXIES, compute

    cfg = ctx.config_or_default()
    backend = _live.host_backend(ctx)
    senv = compute("doctor-probe", config=cfg, backend=backend, caller_env=ctx.env)
    return {lower: senv.variables[lower] for _key, lower in PROXIES if lower in senv.variables}


def _source(ctx: Context, lower: str) -> str:
    cfg = ctx.config_or_default()
    key = {"http_proxy": "http", "https_proxy": "https", "all_proxy": "all",
           "no_proxy": "no_proxy"}[lower]
    if cfg.get(f"proxy.{key}") is not None:
        return f"proxy.{key} in the config"
    for name in (lower, lower.upper()):
        if ctx.env.get(name):
            return f"${name}"
    return "?"


# -- proxy.config ------------------------------------------------------------------------------


def check_url(value: str) -> tuple[str, str] | None:
    """(``"error"`` or ``"warning"``, what is wrong) for a proxy URL; None when it is fine.
    The rule is clauderon.proxyurl's (the config file's validation uses it too)."""
    from clauderon.proxyurl import problem

    found = problem(value)
    return (found.level, found.what) if found else None


LOOPBACK = ("localhost", "127.0.0.1", "::1")


def _covers(entries: list[str], name: str) -> bool:
    if "*" in entries or name in entries:
        return True
    if name == "localhost":
        return ".localhost" in entries
    address = ipaddress.ip_address(name)
    for entry in entries:
        if "/" not in entry:
            continue
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def uncovered_loopback(no_proxy: str) -> list[str]:
    """Loopback names ``NO_PROXY`` does not cover (``*``, names, CIDR ranges understood)."""
    entries = [e.strip().lower().strip("[]") for e in no_proxy.split(",") if e.strip()]
    entries = [e[1:-1] if e.startswith("[") and e.endswith("]") else e for e in entries]
    return [name for name in LOOPBACK if not _covers(entries, name)]


def _case_conflicts(env: Mapping[str, str]) -> list[str]:
    found = []
    for lower in (*URL_VARS, "no_proxy"):
        upper = lower.upper()
        if env.get(lower) and env.get(upper) and env[lower] != env[upper]:
            found.append(f"{upper} and {lower} differ ({mask(env[upper], whole=True)} vs "
                         f"{mask(env[lower], whole=True)}); sessions "
                         f"get {lower}'s value in both cases, other programs pick either")
    return found


def _url_remedy(ctx: Context, lower: str, value: str, level: str) -> str:
    source = _source(ctx, lower)
    if source.startswith("proxy."):
        return ctx.editor_command(ctx.config_or_default().path) + f"   # fix {source.split()[0]}"
    fixed = quote_word(f"http://{value.strip()}", shell_kind(ctx.env)) \
        if level == "warning" and "://" not in value else "http://HOST:PORT"
    return f"export {lower}={fixed} {lower.upper()}={fixed}"


def run_config(ctx: Context) -> Result:
    proxies = session_proxies(ctx)
    errors: list[str] = []
    warnings: list[str] = []
    remedies: list[str] = []
    for lower in URL_VARS:
        value = proxies.get(lower)
        verdict = check_url(value) if value is not None else None
        if value is None or verdict is None:
            continue
        level, what = verdict
        line = f"{lower} = {mask(value, whole=True)} (from {_source(ctx, lower)}) {what}"
        (errors if level == "error" else warnings).append(line)
        remedies.append(_url_remedy(ctx, lower, value, level))
    conflicts = _case_conflicts(ctx.env)
    if conflicts:
        warnings.extend(conflicts)
        remedies.append(_agree_remedy(ctx.env))
    urls = {k: v for k, v in proxies.items() if k in URL_VARS}
    if urls:
        missing = uncovered_loopback(proxies.get("no_proxy", ""))
        if missing:
            warnings.append(f"NO_PROXY does not cover {', '.join(missing)}: requests to this "
                            "machine go through the proxy")
            remedies.append(_no_proxy_remedy(ctx, proxies.get("no_proxy", ""), missing))
    remedy = "; ".join(dict.fromkeys(remedies)) or None
    if errors:
        return error(errors[0], details=errors[1:] + warnings, remedy=remedy)
    if warnings:
        return warning(warnings[0], details=warnings[1:], remedy=remedy)
    if not urls:
        return ok("no proxy is set (neither [proxy] in the config nor *_proxy variables)")
    return ok(f"{', '.join(f'{k}={mask(v, whole=True)}' for k, v in urls.items())}; "
              "NO_PROXY covers loopback",
              [f"{k} from {_source(ctx, k)}" for k in proxies])


def _agree_remedy(env: Mapping[str, str]) -> str:
    parts = []
    for lower in (*URL_VARS, "no_proxy"):
        if env.get(lower) and env.get(lower.upper()) and env[lower] != env[lower.upper()]:
            parts.append(f"{lower.upper()}=\"${lower}\"")
    return "export " + " ".join(parts)


def _no_proxy_remedy(ctx: Context, current: str, missing: list[str]) -> str:
    cfg = ctx.config_or_default()
    if cfg.get("proxy.no_proxy") is not None:
        return (ctx.editor_command(cfg.path) + "   # [proxy] no_proxy: add "
                + ", ".join(f'"{m}"' for m in missing))
    merged = quote_word(",".join([e for e in current.split(",") if e.strip()] + missing),
                        shell_kind(ctx.env))
    return f"export no_proxy={merged} NO_PROXY={merged}"


# -- proxy.reachable ---------------------------------------------------------------------------


# What is sent once connected, so that a proxy which accepts and then never answers is
# caught: an HTTP request the proxy answers itself (no traffic leaves it), or a SOCKS5
# greeting. Any reply — even the proxy closing the connection — counts as an answer.
_HELLO = {"socks5": b"\x05\x01\x00", "socks5h": b"\x05\x01\x00"}
_HTTP_HELLO = b"OPTIONS * HTTP/1.0\r\n\r\n"


def _connect(point: Endpoint, timeout: float) -> str | None:
    try:
        with socket.create_connection((point.host, point.port), timeout=timeout) as conn:
            if point.scheme in ("socks4", "socks4a"):
                return None  # a SOCKS4 request would ask the proxy to connect somewhere
            try:
                conn.sendall(_HELLO.get(point.scheme, _HTTP_HELLO))
                conn.recv(1)
            except TimeoutError:
                return (f"it accepted the connection but did not answer within "
                        f"{timeout:g}s")
            except OSError:
                return None  # reset or closed: it answered, if rudely
            return None
    except TimeoutError:
        return f"timed out after {timeout:g}s"
    except OSError as exc:
        return exc.strerror or str(exc)


def run_reachable(ctx: Context) -> Result:
    proxies = session_proxies(ctx)
    points: dict[Endpoint, list[str]] = {}
    for lower in URL_VARS:
        if lower in proxies:
            point = endpoint(proxies[lower])
            if point is not None:
                points.setdefault(point, []).append(lower)
    if not points:
        if not any(v in proxies for v in URL_VARS):
            return skipped("no proxy is set")
        return skipped("no valid proxy URL (see proxy.config)",
                       remedy="clauderon doctor --check proxy.config")
    verdicts: dict[Endpoint, str | None] = {}

    def probe(point: Endpoint) -> None:
        verdicts[point] = _connect(point, CONNECT_TIMEOUT)

    threads = [threading.Thread(target=probe, args=(p,), daemon=True) for p in points]
    for t in threads:
        t.start()
    for t in threads:
        t.join(CONNECT_TIMEOUT + 1)
    bad = []
    good = []
    for point, names in points.items():
        what = verdicts.get(point, f"timed out after {CONNECT_TIMEOUT:g}s")
        label = f"{point.host}:{point.port} ({', '.join(names)})"
        if what is None:
            good.append(label)
        else:
            bad.append((label, what, point))
    if bad:
        label, what, point = bad[0]
        host = f"[{point.host}]" if ":" in point.host else point.host
        url = quote_word(f"{point.scheme}://{host}:{point.port}", shell_kind(ctx.env))
        return error(f"cannot connect to proxy {label}: {what}",
                     details=[f"cannot connect to proxy {b[0]}: {b[1]}" for b in bad[1:]]
                     + [f"reachable: {g}" for g in good],
                     remedy=f"curl -sS -o /dev/null -x {url} "
                            "https://example.com   # is the proxy running, is the address "
                            "right?")
    return ok(f"connected to {', '.join(good)} within {CONNECT_TIMEOUT:g}s")


CHECKS = [
    Check("proxy.config", "Proxy",
          "proxy URLs are valid, letter cases agree, NO_PROXY covers loopback", run_config),
    Check("proxy.reachable", "Proxy", "a TCP connection to each proxy within 1 s",
          run_reachable),
]
