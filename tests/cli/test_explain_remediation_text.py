"""``kaudit explain``'s remediation as people copy it: every line of an item indented under
its ``- remove`` line however narrow the terminal, no trailing blanks, and the kubectl line
whole (never wrapped: it is pasted into a shell)."""

from __future__ import annotations

import shlex

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from tests.conftest import FIXTURES

INCIDENT = FIXTURES / "incidents/ns-rancher-namespace-auth/incident.yaml"


@pytest.mark.parametrize("columns", ["60", "100"])
def test_remediation_items_stay_indented(columns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    result = CliRunner().invoke(app, ["explain", "namespace/fleet-system", str(INCIDENT),
                                      "--now", "2021-01-11T12:00:00Z"])
    assert result.exit_code == 0, result.stderr
    section = result.stdout.split("Remediation", 1)[1].splitlines()[1:]
    items = [line for line in section if line]
    assert items[0].startswith("- remove controller.cattle.io/namespace-auth")
    assert all(line.startswith("  ") for line in items[1:]), items
    assert all(line == line.rstrip() for line in section)
    (kubectl,) = [line for line in items if line.lstrip().startswith("kubectl patch")]
    assert shlex.split(kubectl)[-1].endswith('"path":"/metadata/finalizers/0"}]')
    assert len([line for line in items if "leaves behind" in line]) == 1
