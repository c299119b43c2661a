"""Every format, byte for byte the same across two runs over the shared corpus.

Each run is a fresh process with its own ``PYTHONHASHSEED``: set and dict iteration order
that leaks into a report shows up here, where a second run in the same process would hide
it. The driver scans each stack through the real command line and writes every format to a
file; the two runs' files are compared whole. Stacks that are not healthy are included: they
hold the most findings.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kaudit.report import FORMATTERS
from tests.conftest import ROOT

pytestmark = pytest.mark.corpus

DRIVER = r'''
import sys
from pathlib import Path
from typer.testing import CliRunner
from kaudit.cli import app
from kaudit.report import FORMATTERS

corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
stacks = sorted({p.parent for p in corpus.rglob("*") if p.is_file()
                 and p.suffix in (".yaml", ".yml", ".json")})
# One stack per leaf folder of the corpus's projects (SOURCES.md's loading rule).
tops = sorted({s.relative_to(corpus).parts[:2] if s.relative_to(corpus).parts[0] in
               ("dumps", "ingress-nginx", "istio", "gateway-api") else
               s.relative_to(corpus).parts[:1] for s in stacks})
for parts in tops:
    name = "_".join(parts)
    args = ["scan", str(corpus.joinpath(*parts)), "--now", "2026-01-01T00:00:00Z",
            "--fail-on", "never"]
    for fmt in FORMATTERS:
        args += ["-o", f"{fmt}={out / (name + '.' + fmt)}"]
    result = CliRunner().invoke(app, args)
    if result.exit_code != 0:
        sys.exit(f"{name}: exit {result.exit_code}: {result.stderr}")
'''


def _run(corpus: Path, out: Path, seed: str) -> None:
    out.mkdir()
    env = {**os.environ, "PYTHONHASHSEED": seed}
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY",
                 "GITHUB_SHA", "FORCE_COLOR"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-c", DRIVER, str(corpus), str(out)], cwd=ROOT,
                   env=env, check=True, timeout=900)


def test_every_format_is_byte_identical_across_processes(corpus: Path, tmp_path: Path) -> None:
    _run(corpus, tmp_path / "a", "1")
    _run(corpus, tmp_path / "b", "2")
    first = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert first == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(first) >= 30 * len(FORMATTERS)
    differ = [name for name in first
              if (tmp_path / "a" / name).read_bytes() != (tmp_path / "b" / name).read_bytes()]
    assert differ == []
