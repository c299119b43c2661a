"""``kaudit scan`` keeps only what its rules read of a dump's pods -- and everything, the
moment one rule does not say what it reads (``kaudit.snapshot.reads``)."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
from typer.testing import CliRunner

from kaudit.cli import app

RULES = Path(__file__).resolve().parents[2] / "fixtures" / "rules-dirs" / "lean"
runner = CliRunner()


def _dump(tmp_path: Path) -> Path:
    """A dump big enough for the item-by-item JSON path (over 1 MiB), of pods read back
    from an API server (they carry a uid)."""
    pods = [{"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": f"p{i}", "namespace": "ns", "uid": f"uid-{i}"},
             "spec": {"containers": [{"name": "app", "image": "nginx:latest",
                                      "args": ["x" * 200]}]},
             "status": {"phase": "Running"}} for i in range(4000)]
    path = tmp_path / "dump.json"
    path.write_bytes(orjson.dumps({"apiVersion": "v1", "kind": "List", "items": pods}))
    assert path.stat().st_size > 1 << 20
    return path


def _codes(tmp_path: Path, *select: str) -> list[str]:
    result = runner.invoke(app, ["scan", str(_dump(tmp_path)), "--rules-dir", str(RULES),
                                 "--select", ",".join(select), "-o", "json",
                                 "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    return [f["code"] for f in json.loads(result.stdout)["findings"]]


def test_a_rule_that_declares_nothing_sees_whole_objects(tmp_path: Path) -> None:
    codes = _codes(tmp_path, "XX950", "XX951")
    assert codes.count("XX950") == 4000  # it read every container's image
    assert "XX951" not in codes  # and so no pod was cut


def test_declared_readers_get_lean_objects(tmp_path: Path) -> None:
    codes = _codes(tmp_path, "XX951", "FN", "ST", "UQ", "SC")
    assert codes.count("XX951") == 4000
