from __future__ import annotations

from pathlib import Path

from clauderon import config, session_env
from clauderon.config import Config
from clauderon.secrets import mask, secrets_in


def cfg_from(tmp_path: Path, text: str = "") -> Config:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return config.load({"CLAUDERON_CONFIG": str(path), "HOME": str(tmp_path)})


def test_zellij_variables_never_reach_a_new_session(tmp_path: Path) -> None:
    caller = {"PATH": "/usr/bin", "ZELLIJ": "0", "ZELLIJ_SESSION_NAME": "outer",
              "ZELLIJ_PANE_ID": "3", "TERM": "screen"}
    env = session_env.compute("api-x", config=cfg_from(tmp_path), backend="zellij",
                              caller_env=caller)
    full = env.process_env()
    assert "ZELLIJ" not in full and "ZELLIJ_SESSION_NAME" not in full
    assert "ZELLIJ_PANE_ID" not in full
    assert full["PATH"] == "/usr/bin"
    assert env.variables["CLAUDERON_SESSION"] == "api-x"
    assert env.variables["TERM"] == "screen"


def test_proxy_in_both_cases_from_config(tmp_path: Path) -> None:
    cfg = cfg_from(tmp_path, '[proxy]\nhttp = "http://p:3128"\nno_proxy = ["localhost", "::1"]\n')
    env = session_env.compute("s", config=cfg, backend="zellij",
                              caller_env={"http_proxy": "http://old:1"})
    v = env.variables
    assert v["HTTP_PROXY"] == v["http_proxy"] == "http://p:3128"
    assert v["NO_PROXY"] == v["no_proxy"] == "localhost,::1"
    assert "HTTPS_PROXY" not in v


def test_inherited_proxy_prefers_lower_case(tmp_path: Path) -> None:
    env = session_env.compute("s", config=cfg_from(tmp_path), backend="zellij",
                              caller_env={"HTTPS_PROXY": "http://upper:1",
                                          "https_proxy": "http://lower:2"})
    assert env.variables["HTTPS_PROXY"] == env.variables["https_proxy"] == "http://lower:2"


def test_term_precedence_config_then_caller_then_default(tmp_path: Path) -> None:
    cfg = cfg_from(tmp_path, '[zellij]\nenv = ["TERM=xterm-256color", "EDITOR=vim"]\n')
    env = session_env.compute("s", config=cfg, backend="zellij", caller_env={"TERM": "dumb"})
    assert env.variables["TERM"] == "xterm-256color"
    assert env.variables["EDITOR"] == "vim"
    bare = session_env.compute("s", config=cfg_from(tmp_path), backend="zellij", caller_env={})
    assert bare.variables["TERM"] == "xterm-256color"


def test_cli_env_beats_config_env(tmp_path: Path) -> None:
    cfg = cfg_from(tmp_path, '[zellij]\nenv = ["A=config"]\n')
    env = session_env.compute("s", config=cfg, backend="zellij", caller_env={},
                              extra_env=[("A", "cli"), ("http_proxy", "http://cli:1")])
    assert env.variables["A"] == "cli"
    assert env.variables["HTTP_PROXY"] == "http://cli:1"


def test_docker_rewrites_loopback_proxies(tmp_path: Path) -> None:
    caller = {"http_proxy": "http://u:pw@127.0.0.1:3128", "https_proxy": "http://[::1]:8080",
              "all_proxy": "socks5://proxy.corp:1080", "no_proxy": "localhost"}
    env = session_env.compute("s", config=cfg_from(tmp_path), backend="docker",
                              caller_env=caller, network="bridge")
    v = env.variables
    assert v["http_proxy"] == "http://u:pw@host.docker.internal:3128"
    assert v["HTTPS_PROXY"] == "http://host.docker.internal:8080"
    assert v["all_proxy"] == "socks5://proxy.corp:1080"
    assert env.notes and env.base == {}


def test_docker_network_none_sets_no_proxy(tmp_path: Path) -> None:
    env = session_env.compute("s", config=cfg_from(tmp_path), backend="docker",
                              caller_env={"http_proxy": "http://p:1"}, network="none")
    assert not any(k.lower().endswith("_proxy") for k in env.variables)
    assert "network 'none'" in env.notes[0]


def test_mask_hides_passwords_only() -> None:
    assert mask("http://user:s3cr3t@proxy:3128") == "http://user:***@proxy:3128"
    assert mask("http://proxy:3128") == "http://proxy:3128"
    assert mask("a http://u:p@h:1 b https://x:y@z") == "a http://u:***@h:1 b https://x:***@z"
    assert secrets_in({"X": "http://u:hunter2@h:1"}) == ["hunter2"]
