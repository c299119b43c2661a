"""Start-up stays cheap: ``kaudit --version`` and a scan of one small file import neither
networkx (only pictures and graph algorithms need it) nor the kubernetes client (only live
reads), nor markdown-it (only ``rules show`` renders Markdown), nor jsonschema (only a CRD
schema to check, SC009, needs it). Counted as modules loaded, in
a fresh interpreter, never as seconds."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES

HEAVY = ("networkx", "kubernetes", "urllib3", "markdown_it", "jsonschema")

PROBE = """
import json, sys
from kaudit.cli import main
args, watched = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
sys.argv = ["kaudit", *args]
try:
    main()
except SystemExit:
    pass
heavy = sorted({m.split(".")[0] for m in sys.modules} & watched)
sys.stderr.write("LOADED " + json.dumps(heavy) + "\\n")
"""


def loaded_after(*args: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
                            capture_output=True, text=True, timeout=120, check=False)
    line = [ln for ln in result.stderr.splitlines() if ln.startswith("LOADED ")]
    assert line, result.stderr
    return json.loads(line[-1].removeprefix("LOADED "))


@pytest.mark.parametrize("args", [
    ("--version",),
    ("scan", str(FIXTURES / "inputs/stuck.yaml"), "--fail-on", "never"),
    ("scan", str(FIXTURES / "inputs/stuck.yaml"), "--format", "json"),
    ("rules", "list"),
])
def test_no_heavy_import(args: tuple[str, ...]) -> None:
    assert loaded_after(*args) == []


def test_the_probe_sees_imports_when_they_happen() -> None:
    """``graph --format dot`` draws through networkx: the probe must notice it."""
    assert "networkx" in loaded_after("graph", str(FIXTURES / "inputs/stuck.yaml"),
                                      "--format", "dot")
