"""Candidate lists are supersets of what the rules that walk them look for, in input order.

A rule that walks ``Snapshot.candidates(X)`` instead of every object must miss nothing: each
list is checked against the property the rules test, over the incident scenarios, the rule
fixtures, the benchmark's cluster and (when present) the shared corpus's dumps.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.generate import write_inputs
from kaudit.rules.conditions import conditions
from kaudit.rules.helm import KINDS as HELM_KINDS
from kaudit.snapshot import Snapshot
from kaudit.snapshot.candidates import (
    ANNOTATED,
    CONDITIONED,
    FINALIZED,
    GENERATION_TRACKED,
    NAMES,
    OWNED,
    STATUS_IN_LABELS,
    TERMINATING,
)
from kaudit.snapshot.files import load_snapshot
from tests.conftest import FIXTURES, shared_dir


def _snapshots(tmp: Path) -> list[Snapshot]:
    paths = [str(FIXTURES / "scenarios"), str(FIXTURES / "rules"),
             str(write_inputs(300, 3, tmp)[0])]
    shared = shared_dir()
    if shared is not None:
        paths.append(str(shared / "corpus" / "dumps"))
    return [load_snapshot([p]) for p in paths]


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> list[Snapshot]:
    return _snapshots(tmp_path_factory.mktemp("candidates"))


PROPERTIES = {
    TERMINATING: lambda o: o.deletion_timestamp is not None,
    FINALIZED: lambda o: bool(o.finalizers),
    ANNOTATED: lambda o: bool(o.annotations),
    OWNED: lambda o: bool(o.owner_references),
    CONDITIONED: lambda o: any(True for _ in conditions(o)),
    GENERATION_TRACKED: lambda o: o.generation is not None and (
        isinstance(o.status.get("observedGeneration"), int)
        or any(c.observed_generation is not None for c in conditions(o))),
}


@pytest.mark.parametrize("name", NAMES)
def test_candidates_hold_every_object_with_the_property(snapshots: list[Snapshot],
                                                        name: str) -> None:
    found_any = False
    for snapshot in snapshots:
        listed = snapshot.candidates(name)
        wanted = [o for o in snapshot if PROPERTIES[name](o)]
        assert set(map(id, wanted)) <= set(map(id, listed)), name
        order = {id(o): i for i, o in enumerate(snapshot)}
        positions = [order[id(o)] for o in listed]
        assert positions == sorted(set(positions))  # input order, each identity once
        found_any = found_any or bool(wanted)
    assert found_any, f"no object with the {name} property: the check proves nothing"


def test_helm_release_kinds_stay_in_step() -> None:
    assert HELM_KINDS <= STATUS_IN_LABELS


def test_an_unknown_candidate_list_is_an_error() -> None:
    with pytest.raises(KeyError, match="terminating"):
        Snapshot.build([]).candidates("deleting")


def test_derived_values_are_built_once_per_snapshot() -> None:
    """``Snapshot.derived``: the shared per-snapshot cache of the rules' indexes."""
    from kaudit.snapshot import KubeObject, Snapshot

    calls: list[Snapshot] = []

    def build(snapshot: Snapshot) -> int:
        calls.append(snapshot)
        return len(snapshot)

    one = Snapshot.build([KubeObject({"apiVersion": "v1", "kind": "Pod",
                                      "metadata": {"name": "a"}})])
    two = Snapshot.build([])
    assert one.derived(build) == 1 and one.derived(build) == 1
    assert two.derived(build) == 0
    assert calls == [one, two]
