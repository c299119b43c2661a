"""Start-up stays cheap: ``kaudit --version`` and a scan of one small file import neither
networkx (only pictures and graph algorithms need it) nor the kubernetes client (only live
reads), nor markdown-it (only ``rules show`` renders Markdown), nor jsonschema (only a CRD
schema to check, SC009, needs it); a JSON scan loads no other report format, and nothing at
start-up (rule packs, the finalizer catalogue, data tables) is read by PyYAML's pure-Python
scanner. Counted as modules loaded and calls made, in a fresh interpreter, never as
seconds."""

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


# What each command may not load: counted as modules and calls in a fresh interpreter.
FORMAT_MODULES = ("kaudit.report.table", "kaudit.report.sarif", "kaudit.report.junit",
                  "kaudit.report.github", "kaudit.report.markdown",
                  "kaudit.report.prometheus_format", "prometheus_client", "xml.etree")

COUNTING_PROBE = """
import json, sys
import yaml.scanner
calls = [0]
python_scan = yaml.scanner.Scanner.fetch_more_tokens
def counted(self):
    frame = sys._getframe(1)
    while frame is not None:  # a rule pack's own data is the pack's business
        if frame.f_globals.get("__name__", "").startswith("kaudit_rules."):
            return python_scan(self)
        frame = frame.f_back
    calls[0] += 1
    return python_scan(self)
yaml.scanner.Scanner.fetch_more_tokens = counted
from kaudit.cli import main
sys.argv = ["kaudit", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
sys.stderr.write("COUNTED " + json.dumps({"modules": sorted(sys.modules),
                                          "python_yaml": calls[0]}) + "\\n")
"""


def counted(*args: str) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-c", COUNTING_PROBE, json.dumps(args)],
                            capture_output=True, text=True, timeout=120, check=False)
    line = [ln for ln in result.stderr.splitlines() if ln.startswith("COUNTED ")]
    assert line, result.stderr
    found: dict[str, object] = json.loads(line[-1].removeprefix("COUNTED "))
    return found


def _loaded(modules: object, prefixes: tuple[str, ...]) -> list[str]:
    assert isinstance(modules, list)
    return [m for m in modules if m.startswith(prefixes) and m.split(".")[0] != "tests"]


def test_a_json_scan_loads_only_the_json_format_and_reads_no_yaml_in_python() -> None:
    """Report formats are imported when rendered (``kaudit.report.FORMATTERS``), and the
    catalogue, rule packs and data files are read through libyaml (``kaudit.yamldata``):
    PyYAML's pure-Python scanner, ten times slower, runs not once in kaudit's own code (a
    rule module reading its own data is not counted here)."""
    found = counted("scan", str(FIXTURES / "inputs/stuck.yaml"), "--format", "json")
    assert _loaded(found["modules"], FORMAT_MODULES) == []
    assert "kaudit.report.json_format" in found["modules"]  # the probe sees what is used
    assert found["python_yaml"] == 0


def test_the_table_format_loads_its_own_module_only() -> None:
    found = counted("scan", str(FIXTURES / "inputs/stuck.yaml"), "--fail-on", "never")
    assert _loaded(found["modules"], FORMAT_MODULES) == ["kaudit.report.table"]
    assert found["python_yaml"] == 0


@pytest.mark.parametrize("args", [("--version",), ("scan", "--help")])
def test_version_and_help_load_no_rules(args: tuple[str, ...]) -> None:
    """Nothing that only a scan needs: no rule pack, no schema validator, no format."""
    found = counted(*args)
    assert _loaded(found["modules"], ("kaudit_rules", "jsonschema", *FORMAT_MODULES)) == []
    assert found["python_yaml"] == 0
