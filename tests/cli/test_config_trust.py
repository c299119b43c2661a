"""A pull request must not control the gate that checks it (issue 9 §1).

The checkout of a pull request can carry a ``.kaudit.toml`` or a ``[tool.kaudit]`` section: a
config found by searching upwards may shape findings with data (YAML rule packs, options) but
never run Python, the command line's ``--fail-on``/``--select``/``--ignore`` beat it,
``--no-config`` ignores it, and every report names the config that shaped it with a digest.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from tests.rules.test_unique_declarative import VALID

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
STUCK = str(FIXTURES / "inputs/stuck.yaml")
NOW = ["--now", "2024-06-01T12:00:00Z"]

EVIL_RULE = '''
from pathlib import Path
Path(__file__).with_name("RAN").write_text("python from the checkout ran")
from kaudit.rules import Family, Rule, Severity

class Evil(Rule):
    """Runs code from the checkout."""
    code = "XX666"
    name = "evil"
    family = Family.STATUS
    severity = Severity.INFO

    def check(self, ctx):
        return iter(())
'''

TEAM_PACK = VALID  # a declarative pack: ConfigMaps sharing a team id (XX501)

TEAMS = """
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: x, labels: {example.com/team-id: "7"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: x, labels: {example.com/team-id: "7"}}
"""


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A pull request's checkout: a rules folder with Python and YAML, inputs, and the current
    folder one level below the config so that it is found by searching upwards."""
    rules = tmp_path / "policy"
    rules.mkdir()
    (rules / "evil.py").write_text(EVIL_RULE)
    (rules / "team.yaml").write_text(TEAM_PACK)
    (tmp_path / "teams.yaml").write_text(TEAMS)
    (tmp_path / "deploy").mkdir()
    monkeypatch.chdir(tmp_path / "deploy")
    return tmp_path


def scan(*args: str):
    return CliRunner().invoke(app, ["scan", *args])


def codes(result) -> list[str]:
    return sorted({f["code"] for f in json.loads(result.stdout)["findings"]})


def test_discovered_config_loads_yaml_packs_but_never_python(checkout: Path) -> None:
    (checkout / ".kaudit.toml").write_text('rules-dir = ["policy"]\n')
    result = scan(str(checkout / "teams.yaml"), *NOW, "--format", "json")
    assert not (checkout / "policy" / "RAN").exists()
    assert "XX501" in codes(result) and "XX666" not in codes(result)
    # Said, not silent: which file was skipped, and how to run it on purpose.
    notice = " ".join(result.stderr.split())
    assert "were not run" in notice and "evil.py" in notice and "--rules-dir" in notice


def test_options_for_skipped_python_rules_do_not_stop_the_scan(checkout: Path) -> None:
    (checkout / ".kaudit.toml").write_text('rules-dir = ["policy"]\nselect = ["XX"]\n'
                                           '[rules.evil]\nseverity = "error"\n')
    result = scan(str(checkout / "teams.yaml"), *NOW, "--format", "json")
    assert result.exit_code == 0, result.output  # XX501 is a warning
    assert codes(result) == ["XX501"] and "were not run" in result.stderr


def test_the_command_line_selection_is_checked_not_the_replaced_one(checkout: Path) -> None:
    (checkout / ".kaudit.toml").write_text('select = ["NOPE999"]\n')
    assert scan(STUCK, *NOW).exit_code == 2  # the config's own selection is checked ...
    assert scan(STUCK, *NOW, "--select", "FN001").exit_code == 1  # ... unless replaced


def test_pyproject_section_is_trusted_no_more_than_kaudit_toml(checkout: Path) -> None:
    (checkout / "pyproject.toml").write_text('[tool.kaudit]\nrules-dir = "policy"\n')
    result = scan(str(checkout / "teams.yaml"), *NOW, "--format", "json")
    assert not (checkout / "policy" / "RAN").exists()
    assert "XX501" in codes(result)


def test_baseline_create_trusts_a_discovered_config_no_more_than_scan(checkout: Path) -> None:
    (checkout / ".kaudit.toml").write_text('rules-dir = ["policy"]\n')
    out = checkout / "baseline.json"
    result = CliRunner().invoke(app, ["baseline", "create", "-o", str(out),
                                      str(checkout / "teams.yaml"), *NOW])
    assert result.exit_code == 0, result.output
    assert not (checkout / "policy" / "RAN").exists()
    assert "were not run" in result.stderr
    assert [f["code"] for f in json.loads(out.read_text())["findings"]] == ["XX501"]


def test_explicit_config_may_run_python_rules(checkout: Path) -> None:
    config = checkout / ".kaudit.toml"
    config.write_text('rules-dir = ["policy"]\n')
    result = scan(str(checkout / "teams.yaml"), *NOW, "--format", "json", "--config",
                  str(config))
    assert (checkout / "policy" / "RAN").exists()
    assert "were not run" not in result.stderr
    assert json.loads(result.stdout)["config"]["discovered"] is False


def test_rules_dir_on_the_command_line_runs_python(checkout: Path) -> None:
    (checkout / ".kaudit.toml").write_text('rules-dir = ["policy"]\n')
    scan(str(checkout / "teams.yaml"), *NOW, "--rules-dir", str(checkout / "policy"))
    assert (checkout / "policy" / "RAN").exists()


def test_no_config_ignores_the_discovered_file(checkout: Path) -> None:
    (checkout / ".kaudit.toml").write_text('fail-on = "never"\nignore = ["FN"]\n')
    assert scan(STUCK, *NOW).exit_code == 0  # the checkout switched the gate off ...
    result = scan(STUCK, *NOW, "--no-config", "--format", "json")
    assert result.exit_code == 1  # ... and --no-config switches it back on
    assert json.loads(result.stdout)["config"] is None


def test_no_config_and_config_together_is_a_usage_error(checkout: Path) -> None:
    config = checkout / ".kaudit.toml"
    config.write_text("")
    result = scan(STUCK, "--no-config", "--config", str(config))
    assert result.exit_code == 2 and "not both" in result.stderr


def test_command_line_fail_on_beats_the_config(checkout: Path) -> None:
    (checkout / ".kaudit.toml").write_text('fail-on = "never"\n')
    assert scan(STUCK, *NOW, "--fail-on", "error").exit_code == 1


def test_command_line_selection_replaces_the_configs_lists(checkout: Path) -> None:
    (checkout / ".kaudit.toml").write_text('ignore = ["FN001"]\nselect = ["ST"]\n')
    assert "FN001" not in codes(scan(STUCK, *NOW, "--format", "json"))
    # --select replaces both lists: the config's ignore does not undo it.
    assert codes(scan(STUCK, *NOW, "--format", "json", "--select", "FN001")) == ["FN001"]
    # --ignore alone also drops the config's select (else only ST rules would run).
    assert "FN001" in codes(scan(STUCK, *NOW, "--format", "json", "--ignore", "KA004"))


def test_every_report_names_the_config_and_its_digest(checkout: Path) -> None:
    config = checkout / ".kaudit.toml"
    config.write_text('[rules.stuck-deletion]\ngrace = "1h"\n')
    digest = hashlib.sha256(config.read_bytes()).hexdigest()
    report = json.loads(scan(STUCK, *NOW, "--format", "json").stdout)
    assert report["config"] == {"path": "../.kaudit.toml", "sha256": digest,
                                "discovered": True}
    table = scan(STUCK, *NOW).stdout
    assert f"config: ../.kaudit.toml sha256:{digest} (found by searching upwards)" in table
    # A pull request that edits the config changes what the report says.
    config.write_text('[rules.stuck-deletion]\ngrace = "100d"\n')
    changed = json.loads(scan(STUCK, *NOW, "--format", "json").stdout)
    assert changed["config"]["sha256"] != digest


def test_table_says_when_no_config_shaped_it(checkout: Path) -> None:
    assert "config: none" in scan(STUCK, *NOW, "--no-config").stdout


def alias_bomb(levels: int = 8) -> str:
    """A valid-looking pack whose aliases expand to 9**levels strings (a few hundred bytes)."""
    lines = [line for line in VALID.splitlines() if not line.startswith("key:")] + ["key:"]
    previous = '"x"'
    for n in range(levels):
        lines += [f"- label: l{n}", f"  title: &a{n} [{', '.join([previous] * 9)}]"]
        previous = f"*a{n}"
    return "\n".join(lines) + "\n"


def test_a_yaml_pack_from_the_checkout_is_bounded(checkout: Path) -> None:
    (checkout / "policy" / "evil.py").unlink()
    (checkout / "policy" / "team.yaml").write_text(alias_bomb())
    (checkout / ".kaudit.toml").write_text('rules-dir = ["policy"]\n')
    result = scan(str(checkout / "teams.yaml"), *NOW)
    assert result.exit_code == 2
    assert "aliases expand to more than" in result.stderr


def test_a_deeply_nested_yaml_pack_is_refused(checkout: Path) -> None:
    (checkout / "policy" / "evil.py").unlink()
    (checkout / "policy" / "team.yaml").write_text(VALID + "x: " + "[" * 5000 + "]" * 5000)
    (checkout / ".kaudit.toml").write_text('rules-dir = ["policy"]\n')
    result = scan(str(checkout / "teams.yaml"), *NOW)
    assert result.exit_code == 2 and "nested too deeply" in result.stderr
