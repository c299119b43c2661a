"""The condition view: every shape found, each with its pointer and owner; malformed status
never raises and never invents a condition."""

from __future__ import annotations

from typing import Any

import pytest

from kaudit.rules import KubeObject, condition_is, conditions
from kaudit.rules.conditions import ANCESTOR, HEALTH, LISTENER, OBJECT, PARENT, first


def obj(status: Any, api_version: str = "gateway.networking.k8s.io/v1",
        kind: str = "HTTPRoute") -> KubeObject:
    return KubeObject({"apiVersion": api_version, "kind": kind,
                       "metadata": {"name": "r", "namespace": "shop"}, "status": status})


def test_every_shape_with_its_pointer_and_owner() -> None:
    route = obj({
        "conditions": [{"type": "Ready", "status": "True", "reason": "Ok"}],
        "parents": [
            {"parentRef": {"name": "gw", "sectionName": "https"},
             "controllerName": "example.com/gw",
             "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted",
                             "observedGeneration": 3}]},
            {"parentRef": {"kind": "Service", "name": "mesh", "namespace": "mesh"},
             "conditions": [{"type": "Accepted", "status": "False"}]}],
        "ancestors": [{"ancestorRef": {"name": "gw"}, "controllerName": "example.com/gw",
                       "conditions": [{"type": "Accepted", "status": "True"}]}],
        "listeners": [{"name": "http", "conditions": [{"type": "Programmed",
                                                       "status": "True"}]}],
    })
    got = [(c.scope, c.type, c.status, c.pointer, c.owner) for c in conditions(route)]
    assert got == [
        (OBJECT, "Ready", "True", "/status/conditions/0", ""),
        (PARENT, "Accepted", "True", "/status/parents/0/conditions/0",
         "parent Gateway shop/gw/https (example.com/gw)"),
        (PARENT, "Accepted", "False", "/status/parents/1/conditions/0",
         "parent Service mesh/mesh"),
        (ANCESTOR, "Accepted", "True", "/status/ancestors/0/conditions/0",
         "ancestor Gateway shop/gw (example.com/gw)"),
        (LISTENER, "Programmed", "True", "/status/listeners/0/conditions/0", "listener http"),
    ]
    accepted = next(c for c in conditions(route) if c.scope == PARENT)
    assert accepted.observed_generation == 3
    assert accepted.describe() == ("Accepted=True (Accepted) for parent Gateway "
                                   "shop/gw/https (example.com/gw)")
    assert first(route, "Accepted") is None  # the object's own scope only
    assert condition_is(route, "Ready")


@pytest.mark.parametrize(("health", "sync", "expected"), [
    ("Healthy", "Synced", [("Healthy", "True"), ("Synced", "True")]),
    ("Degraded", "OutOfSync", [("Healthy", "False"), ("Synced", "False")]),
    ("Progressing", None, [("Healthy", "Unknown")]),
    ("SomethingNew", None, [("Healthy", "Unknown")]),
])
def test_argo_cd_health_and_sync(health: str, sync: str | None,
                                 expected: list[tuple[str, str]]) -> None:
    status: dict[str, Any] = {"health": {"status": health}}
    if sync:
        status["sync"] = {"status": sync}
    app = obj(status, "argoproj.io/v1alpha1", "Application")
    found = list(conditions(app))
    assert [(c.type, c.status) for c in found] == expected
    assert all(c.scope == HEALTH for c in found)
    assert found[0].pointer == "/status/health/status"
    assert found[0].describe() == f"status.health.status={health}"


def test_health_fields_of_other_kinds_are_not_conditions() -> None:
    assert list(conditions(obj({"health": {"status": "Healthy"}}, "example.org/v1",
                               "Application"))) == []


@pytest.mark.parametrize("status", [
    None, "Ready", [], {"conditions": "Ready"}, {"conditions": [None, 3, "x"]},
    {"parents": {"conditions": []}}, {"parents": [None, {"conditions": None}]},
    {"listeners": "http"}, {"ancestors": [{"ancestorRef": "gw", "conditions": [1]}]},
])
def test_malformed_status_yields_nothing(status: Any) -> None:
    assert list(conditions(obj(status))) == []


def test_odd_field_types_are_read_as_text() -> None:
    [cond] = conditions(obj({"conditions": [{"type": 7, "status": True,
                                             "observedGeneration": "2"}]}))
    assert (cond.type, cond.status, cond.observed_generation) == ("7", "True", None)
