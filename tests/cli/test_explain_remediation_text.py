"""``kaudit explain``'s remediation as people copy it: every line of an item indented under
its ``- remove`` line however narrow the terminal, no trailing blanks, and the kubectl line
whole (never wrapped: it is pasted into a shell)."""

from __future__ import annotations

import shlex
from pathlib import Path

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


def test_untrusted_text_cannot_restyle_the_terminal(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A finalizer, condition or name with an ESC sequence is shown escaped, in colour too."""
    dump = tmp_path / "dump.yaml"
    dump.write_text(
        'apiVersion: example.org/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: shop\n'
        '  deletionTimestamp: "2024-01-01T00:00:00Z"\n'
        '  finalizers: ["example.org/a\\x1b[8m"]\n'
        'status:\n  conditions:\n  - {type: Ready, status: "False", reason: "R\\x1b[2J",'
        ' message: "m\\u202eup"}\n')
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = CliRunner().invoke(app, ["explain", "widget/w", "-n", "shop", str(dump),
                                      "--now", "2024-06-01T12:00:00Z"])
    assert result.exit_code == 0, result.stderr
    assert "\x1b[8m" not in result.stdout and "\x1b[2J" not in result.stdout
    assert "\u202e" not in result.stdout
    assert "example.org/a\\x1b[8m" in result.stdout and "R\\x1b[2J" in result.stdout
