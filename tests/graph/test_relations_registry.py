"""``kaudit graph --help`` lists every relation the graph can draw, from the extractor registry."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.graph import build_graph
from kaudit.graph.edges import RELATIONS
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.snapshot.files import load_snapshot
from tests.graph.test_storage_edges import OBJECTS as STORAGE

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_registry_names_every_relation_the_graph_draws() -> None:
    # Every fixture of every rule: the graph of all of them uses each extractor.
    drawn: set[str] = set()
    for snapshot in (load_snapshot([str(FIXTURES)]),
                     Snapshot.build([KubeObject(o) for o in STORAGE])):
        drawn |= {d["relation"] for _, _, d in build_graph(snapshot).nx.edges(data=True)}
    assert {"bound-to", "attaches", "snapshot-of", "route-parent", "owner"} <= drawn
    assert drawn <= set(RELATIONS)


def test_graph_help_lists_every_relation() -> None:
    result = CliRunner().invoke(app, ["graph", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    listed = set(re.findall(r"[a-z][a-z-]+", text))
    for relation in ("bound-to", "attaches", "attached-to", "snapshot-of", "route-parent",
                     "backend", *RELATIONS):
        assert relation in listed, relation
