"""The one function that computes a session's environment.

Every backend, the env files read by the shell hooks, ``attach`` and ``doctor`` use what
``compute`` returns; nothing else assembles a session's environment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from clauderon.backends.base import SessionEnv
from clauderon.config import Config

# Variables of a surrounding multiplexer or session: never passed on to a new session.
FOREIGN = ("ZELLIJ", "ZELLIJ_SESSION_NAME", "ZELLIJ_PANE_ID", "TMUX", "TMUX_PANE",
           "CLAUDERON_SESSION", "CLAUDERON_HOOK")
# (config key in [proxy], variable name in lower case)
PROXIES = (("http", "http_proxy"), ("https", "https_proxy"), ("all", "all_proxy"),
           ("no_proxy", "no_proxy"))
DEFAULT_TERM = "xterm-256color"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def without_foreign(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in FOREIGN}


def _inherited(caller: Mapping[str, str], lower: str) -> str | None:
    # Lower case first, as curl and most tools read it.
    for name in (lower, lower.upper()):
        if caller.get(name):
            return caller[name]
    return None


def compute(
    name: str,
    *,
    config: Config,
    backend: str,
    caller_env: Mapping[str, str],
    extra_env: Iterable[tuple[str, str]] = (),
    network: str | None = None,
) -> SessionEnv:
    """The session environment for ``name``.

    Order of precedence for each variable: ``--env`` entries, then the backend's config
    ``env``, then ``[proxy]`` (proxies only), then the caller's environment. Proxy variables
    are set in both letter cases; TERM always (config, else caller, else xterm-256color).
    For a backend whose sessions run in a container (its declared ``container_host``), the
    caller's variables do not go in, loopback proxies are rewritten to that host name, and
    with network ``none`` no proxy is set at all.
    """
    from clauderon import backends

    container_host = backends.info(backend).container_host
    base = without_foreign(caller_env)
    explicit: dict[str, str] = {}
    for key, entry in [*config.env_entries(backend), *extra_env]:
        explicit[key] = entry

    variables: dict[str, str] = {}
    variables["TERM"] = explicit.pop("TERM", "") or caller_env.get("TERM") or DEFAULT_TERM
    proxies: dict[str, str] = {}
    for cfg_key, lower in PROXIES:
        value: str | None
        given = [explicit.pop(n) for n in (lower, lower.upper()) if n in explicit]
        configured = config.get(f"proxy.{cfg_key}")
        if given:
            value = given[0]
        elif configured is not None:
            value = ",".join(configured) if isinstance(configured, list) else str(configured)
        else:
            value = _inherited(caller_env, lower)
        if value:
            proxies[lower] = value
    variables.update(explicit)

    notes: list[str] = []
    if container_host:
        proxies, notes = _for_container(proxies, network, container_host)
    for lower, value in proxies.items():
        variables[lower.upper()] = value
        variables[lower] = value
    variables["CLAUDERON_SESSION"] = name
    if container_host:
        # Inside the container the caller's variables mean nothing; only ours go in.
        base = {}
    return SessionEnv(variables=variables, base=base, notes=tuple(notes))


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host in ("localhost",) or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _for_container(proxies: dict[str, str], network: str | None, host_alias: str
                   ) -> tuple[dict[str, str], list[str]]:
    if network == "none":
        if any(k != "no_proxy" for k in proxies):
            return {}, ["network 'none': no proxy variables are set (the container has "
                        "no network to reach a proxy through)"]
        return {}, []
    if network == "host":
        return proxies, []
    rewritten: dict[str, str] = {}
    notes: list[str] = []
    for key, value in proxies.items():
        if key == "no_proxy":
            rewritten[key] = value
            continue
        new = rewrite_loopback(value, host_alias)
        if new != value:
            notes.append(f"{key.upper()} pointed at the host's loopback; inside the container "
                         f"it uses {host_alias} instead")
        rewritten[key] = new
    return rewritten, notes


def rewrite_loopback(url: str, host_alias: str) -> str:
    """``http://127.0.0.1:3128`` -> ``http://HOST_ALIAS:3128`` (other URLs as is)."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        host = parts.hostname
    except ValueError:
        return url
    if host is None or not _is_loopback(host):
        return url
    netloc = parts.netloc
    userinfo = netloc.rpartition("@")[0]
    port = f":{parts.port}" if parts.port else ""
    netloc = f"{userinfo}@" if userinfo else ""
    netloc += host_alias + port
    new = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return new if "://" in url else new.split("://", 1)[1]
