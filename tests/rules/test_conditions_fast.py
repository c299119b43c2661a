"""The condition view's quick answers agree with the full view on any status, however odd.

``conditions`` returns a plain list for the usual shapes and reads the rarer ones lazily, and
``behind`` (ST003's pre-check) reads only ``observedGeneration`` without building conditions.
Both must say exactly what reading every condition says: generated statuses mix every shape
(own, per-parent, per-ancestor, per-listener conditions, health fields, Helm's label) with
the odd values a dump can hold (``observedGeneration: true``, lists where mappings belong)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kaudit.rules import KubeObject, conditions
from kaudit.rules.conditions import Condition, behind

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2, 5), st.sampled_from(
    ["", "True", "False", "Ready", "Degraded", "deployed", "failed"]))
_CONDITION = st.one_of(
    st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["Ready", "Accepted", "Synced", 3]),
        "status": st.sampled_from(["True", "False", "Unknown", True]),
        "reason": _SCALARS, "observedGeneration": _SCALARS,
        "lastTransitionTime": st.just("2024-01-01T00:00:00Z")}),
    _SCALARS)
_CONDITIONS = st.one_of(st.lists(_CONDITION, max_size=3), _SCALARS)
_ENTRY = st.one_of(st.fixed_dictionaries({}, optional={
    "conditions": _CONDITIONS, "name": _SCALARS, "controllerName": _SCALARS,
    "parentRef": st.fixed_dictionaries({}, optional={"name": _SCALARS}),
    "ancestorRef": st.fixed_dictionaries({}, optional={"name": _SCALARS})}), _SCALARS)
_STATUS = st.one_of(
    st.fixed_dictionaries({}, optional={
        "conditions": _CONDITIONS,
        "parents": st.one_of(st.lists(_ENTRY, max_size=2), _SCALARS),
        "ancestors": st.one_of(st.lists(_ENTRY, max_size=2), _SCALARS),
        "listeners": st.one_of(st.lists(_ENTRY, max_size=2), _SCALARS),
        "observedGeneration": _SCALARS,
        "health": st.fixed_dictionaries({}, optional={"status": st.sampled_from(
            ["Healthy", "Degraded", "Progressing", ""])}),
        "sync": st.fixed_dictionaries({}, optional={"status": st.sampled_from(
            ["Synced", "OutOfSync"])}),
        "phase": st.sampled_from(["Ready", "Failure", "Running"]),
        "replicas": st.integers(0, 3)}),
    _SCALARS, st.lists(_SCALARS, max_size=1))
_KINDS = st.sampled_from([
    ("gateway.networking.k8s.io/v1", "HTTPRoute"), ("argoproj.io/v1alpha1", "Application"),
    ("ceph.rook.io/v1", "CephCluster"), ("v1", "Secret"), ("v1", "ConfigMap"),
    ("example.org/v1", "Secret"), ("apps/v1", "Deployment")])
_LABELS = st.fixed_dictionaries({}, optional={
    "owner": st.just("helm"), "status": st.sampled_from(["deployed", "failed", "superseded"]),
    "name": st.just("app"), "version": st.just("2")})


def _reference(obj: KubeObject) -> list[tuple[Any, ...]]:
    """Every condition as the view reports it, read one by one."""
    return [(c.scope, c.type, c.status, c.reason, c.pointer, c.owner, c.field, c.failing,
             c.observed_generation, c.last_transition) for c in conditions(obj)]


@settings(max_examples=400, deadline=None)
@given(kind=_KINDS, status=_STATUS, labels=_LABELS,
       generation=st.integers(0, 4), name=st.sampled_from(["sh.helm.release.v1.app.v2", "x"]))
def test_behind_says_what_reading_every_condition_says(
        kind: tuple[str, str], status: Any, labels: dict[str, str], generation: int,
        name: str) -> None:
    obj = KubeObject({"apiVersion": kind[0], "kind": kind[1], "status": status,
                      "metadata": {"name": name, "namespace": "ns", "labels": labels}})
    full = list(conditions(obj))
    assert all(isinstance(c, Condition) for c in full)
    expected = any(c.observed_generation is not None and c.observed_generation < generation
                   for c in full)
    assert behind(obj, generation) is expected
    # Asking twice gives the same conditions (no state kept between calls).
    assert _reference(obj) == _reference(obj)


def test_the_usual_shapes_in_order_with_pointers() -> None:
    deployment = KubeObject({"apiVersion": "apps/v1", "kind": "Deployment",
                             "metadata": {"name": "d"}, "status": {
                                 "replicas": 1, "conditions": [
                                     {"type": "Available", "status": "True"}, "junk",
                                     {"type": "Progressing", "status": "True",
                                      "observedGeneration": 1}]}})
    assert [(c.type, c.pointer) for c in conditions(deployment)] == [
        ("Available", "/status/conditions/0"), ("Progressing", "/status/conditions/2")]
    assert behind(deployment, 2) and not behind(deployment, 1)
    helm = KubeObject({"apiVersion": "v1", "kind": "Secret", "metadata": {
        "name": "sh.helm.release.v1.app.v1", "labels": {"owner": "helm", "status": "deployed",
                                                        "name": "app", "version": "1"}},
        "status": {"conditions": [{"type": "Ready", "observedGeneration": 0}]}})
    assert [(c.type, c.status) for c in conditions(helm)] == [("Released", "True")]
    assert not behind(helm, 5)  # a release revision's conditions are its label, not status
