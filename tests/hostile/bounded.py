"""Run kaudit in a child process held to a memory bound, and read what it reported.

The bounds a hostile file must respect are asserted as outcomes: the child runs under
``RLIMIT_AS`` (address space) and ``RLIMIT_CPU`` (CPU seconds, which a loaded machine does
not eat into), so blowing either kills it (a negative return code, or ``MemoryError`` in its
stderr) and the test fails on the outcome, never on a clock.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MEMORY_BOUND = 1024 * 1024 * 1024
"""1 GiB of address space, the interpreter and its libraries included."""
CPU_BOUND = 60
"""CPU seconds; a hostile file that needs more has not been bounded."""
HANG_GUARD = 300
"""Wall-clock seconds after which a child is killed: only so a hang fails instead of stalling
the suite, never as a speed assertion."""


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.stdout)  # type: ignore[no-any-return]

    def problems(self) -> list[dict[str, Any]]:
        return [f for f in self.report["findings"] if f["code"] == "KA001"]

    def assert_degraded(self) -> None:
        """Ended on its own, within bounds, with a report and no internal error."""
        assert self.code in (0, 1), (self.code, self.stderr[-2000:])
        assert "Traceback" not in self.stderr and "MemoryError" not in self.stderr
        assert not [f for f in self.report["findings"] if f["code"] == "KA003"]


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BOUND, MEMORY_BOUND))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_BOUND, CPU_BOUND))


def run_kaudit(*args: str, cwd: Path, root_options: tuple[str, ...] = ()) -> Outcome:
    """``kaudit [root_options] ARGS`` in a bounded child; ``scan`` reports as JSON."""
    command = [sys.executable, "-m", "kaudit", *root_options, *args]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                          preexec_fn=_limit, timeout=HANG_GUARD, check=False)
    return Outcome(done.returncode, done.stdout, done.stderr)


def scan(*paths: str, cwd: Path, root_options: tuple[str, ...] = ()) -> Outcome:
    return run_kaudit("scan", *paths, "--format", "json", "--now", "2024-01-01T00:00:00Z",
                      cwd=cwd, root_options=root_options)
