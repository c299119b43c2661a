from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from kaudit.cli import app
from tests.conftest import FIXTURES

runner = CliRunner()


def test_rules_list_json_is_the_catalogue() -> None:
    result = runner.invoke(app, ["rules", "list", "--format", "json"])
    rows = json.loads(result.stdout)
    assert {"code": "FN001", "name": "stuck-deletion", "family": "finalizers",
            "severity": "error",
            "summary": "Object has been terminating longer than ``grace`` because finalizers "
                       "remain."} in rows
    assert [r["code"] for r in rows] == sorted(r["code"] for r in rows)


def test_rules_show_prints_the_docstring_and_options() -> None:
    result = runner.invoke(app, ["rules", "show", "stuck-deletion"])
    assert result.exit_code == 0
    assert result.stdout.startswith("FN001 stuck-deletion\n\nFamily finalizers, default "
                                    "severity error")
    assert "A finalizer is a promise" in result.stdout
    assert re.search(r"^ grace +15m$", result.stdout, re.M)


def test_rules_show_unknown_is_a_usage_error() -> None:
    assert runner.invoke(app, ["rules", "show", "NOPE1"]).exit_code == 2


def test_rules_list_includes_rules_dir() -> None:
    result = runner.invoke(app, ["rules", "list", "--format", "json", "--rules-dir",
                                 str(FIXTURES / "rules-dirs/custom")])
    assert "XX100" in [r["code"] for r in json.loads(result.stdout)]


def test_every_rule_documents_why_and_how_to_fix() -> None:
    rows = json.loads(runner.invoke(app, ["rules", "list", "--format", "json"]).stdout)
    for row in rows:
        doc = runner.invoke(app, ["rules", "show", row["code"]]).stdout
        assert "Fix:" in doc, f"{row['code']} docstring has no 'Fix:' paragraph"


def test_version() -> None:
    from kaudit import __version__

    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"kaudit {__version__}\n")
