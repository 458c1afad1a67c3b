"""The adversarial suite's figures: what was tried, what passed, every output it produced.

One module-level :data:`STATS` lives for the whole pytest process. Tests add to it; the
``pytest_terminal_summary`` hook in ``conftest.py`` prints it at the end of the run, and
``test_secrets.py`` scans :attr:`Stats.outputs` for the proxy password :data:`SECRET`.
Other test directories may count here too (``tests/shells/test_env_files.py`` counts the values
it sends through real bash, zsh and fish) by importing ``adversarial.stats``.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field

#: The proxy password every adversarial world carries; it must never be printed except by
#: ``clauderon env NAME`` (without ``--masked``), whose output is meant to be sourced.
SECRET = f"S3cr3t-pw-{secrets.token_hex(6)}"
#: A proxy URL holding it (port 9 on loopback: nothing listens, connections are refused at
#: once, so doctor's reachability probe stays fast).
PROXY_URL = f"http://alice:{SECRET}@127.0.0.1:9/"


@dataclass(frozen=True)
class Output:
    """One program run of the suite: what it was and what it printed."""

    label: str
    argv: tuple[str, ...]
    stdout: str
    stderr: str
    may_hold_secret: bool = False  # `clauderon env NAME` without --masked


@dataclass
class Stats:
    counts: Counter[str] = field(default_factory=Counter)
    scenarios: dict[str, Counter[str]] = field(default_factory=dict)
    outputs: list[Output] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] += n

    def scenario(self, area: str, passed: bool) -> None:
        with self.lock:
            tally = self.scenarios.setdefault(area, Counter())
            tally["total"] += 1
            tally["passed"] += int(passed)

    def record(self, output: Output) -> None:
        with self.lock:
            self.outputs.append(output)

    # -- the summary -------------------------------------------------------------------

    def _scenarios(self, area: str) -> str:
        tally = self.scenarios.get(area, Counter())
        return f"{tally['passed']}/{tally['total']}"

    def summary(self) -> str:
        c = self.counts
        shells = [f"{shell} {c[f'envfile:{shell}']:,}" for shell in ("bash", "zsh", "fish")
                  if c[f"envfile:{shell}"]]
        injection_total = sum(v for k, v in c.items() if k.startswith(("envfile:", "argv:",
                                                                       "cli:", "tmux-real:",
                                                                       "docker-real:")))
        detail = [f"env files through real shells: {', '.join(shells)}"] if shells else []
        for prefix, label in (("argv:", "backend argv"), ("tmux-real:", "real tmux"),
                              ("docker-real:", "real docker"), ("cli:", "through the CLI")):
            n = sum(v for k, v in c.items() if k.startswith(prefix))
            if n:
                detail.append(f"{label} {n:,}")
        parts = [
            f"injection: {injection_total:,} values ({'; '.join(detail)}), "
            f"{c['injection:rejected']:,} rejected with a message, "
            f"{c['injection:escapes']} escapes",
            f"rc scenarios: {self._scenarios('rc')} ({c['rc:cli-runs']:,} CLI runs, "
            "bash+zsh+fish each)",
            f"faults: {self._scenarios('faults')}"
            + (f" (+{c['faults:known-gaps']} doctor gaps marked xfail)"
               if c["faults:known-gaps"] else ""),
            f"load: {c['load:creates']:,} creates, {c['load:orphans']} orphans",
            f"secrets: {c['secrets:scanned']:,} outputs scanned, {c['secrets:leaks']} leaks",
        ]
        parts += self._issue12(c)
        parts.append(f"corrupt rows: {c['rows:kinds']} kinds, {c['rows:refusals']:,} commands "
                     f"refused with one line, {c['rows:quarantined']} quarantined, "
                     f"{c['rows:lost']} env files lost; kill cut short (full or read-only "
                     f"disk, failing tmux or git): {c['kill:cut-short']} scenarios passed")
        return "; ".join(parts)

    def _issue12(self, c: Counter[str]) -> list[str]:
        """Special names x shells, masking x password alphabets, TMPDIR/HOME/umask
        variants."""
        def by(prefix: str) -> str:
            found = sorted((k[len(prefix):], v) for k, v in c.items() if k.startswith(prefix))
            return ", ".join(f"{k} {v:,}" for k, v in found) or "none"

        return [
            f"special names x shells: {c['names:special']:,} names proved special "
            f"({by('names:shell:')}), {c['names:ordinary']:,} ordinary names kept, "
            f"{c['names:rejected']:,} rejected with a message",
            f"masking x password alphabets: {by('maskpw:')} passwords through "
            f"{c['maskpw-outputs']:,} CLI outputs, {c['maskpw-shown']} shown",
            f"line endings: {by('eol:')} rc-file scenarios passed",
            f"TMPDIR/HOME/umask variants: {self._scenarios('homes')} scenarios (TMPDIR "
            f"{by('tmpdir:')}; HOME {by('homevar:')}; umask {by('umask:')}; numbers "
            f"{c['numbers:refused']} refused; leftover children {c['leftovers:ended']} "
            "ended)",
        ]


STATS = Stats()
