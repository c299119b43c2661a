"""Helm 3 release storage read as health: each revision's ``status`` label is a ``Released``
condition in the condition view, releases are grouped per storage kind, namespace and name
with the latest revision by number, look-alikes are not releases, and the payload is never
read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kaudit.rules import KubeObject, conditions, helm_releases, helm_revision
from kaudit.rules.conditions import HEALTH
from tests.audit import audit


def stored(release: str, revision: Any, status: Any, *, kind: str = "Secret",
           namespace: str = "shop", secret_type: str | None = "helm.sh/release.v1",
           labels: dict[str, Any] | None = None, name: str | None = None) -> KubeObject:
    raw: dict[str, Any] = {
        "apiVersion": "v1", "kind": kind,
        "metadata": {"name": name or f"sh.helm.release.v1.{release}.v{revision}",
                     "namespace": namespace,
                     "labels": labels if labels is not None else {
                         "owner": "helm", "name": release, "status": status,
                         "version": str(revision)}},
        "data": {"release": "SDRzSUFBQUFBQUFBLw=="},
    }
    if kind == "Secret" and secret_type is not None:
        raw["type"] = secret_type
    return KubeObject(raw)


@pytest.mark.parametrize(("status", "expected"), [
    ("deployed", "True"), ("failed", "False"), ("pending-install", "Unknown"),
    ("pending-upgrade", "Unknown"), ("pending-rollback", "Unknown"),
    ("uninstalling", "Unknown"), ("unknown", "Unknown"),
])
@pytest.mark.parametrize("kind", ["Secret", "ConfigMap"])
def test_status_label_is_a_released_condition(status: str, expected: str, kind: str) -> None:
    (cond,) = conditions(stored("web", 3, status, kind=kind))
    assert (cond.type, cond.status, cond.reason) == ("Released", expected, status)
    assert cond.scope == HEALTH
    assert cond.pointer == "/metadata/labels/status"
    assert cond.describe() == f"metadata.labels.status={status} for Helm release web revision 3"


@pytest.mark.parametrize("status", ["superseded", "uninstalled", "something-new"])
def test_history_and_unknown_words_are_not_health(status: str) -> None:
    assert list(conditions(stored("web", 2, status))) == []
    assert helm_revision(stored("web", 2, status)) is not None  # still a revision


def test_live_metadata_only_secret_without_type_is_a_revision() -> None:
    rev = helm_revision(stored("web", 12, "deployed", secret_type=None))
    assert rev is not None and (rev.release, rev.revision) == ("web", 12)


@pytest.mark.parametrize("obj", [
    stored("web", 1, "failed", secret_type="Opaque"),                      # not Helm's type
    stored("web", 1, "failed", labels={"owner": "helm", "name": "api",     # labels disagree
                                       "status": "failed", "version": "1"}),
    stored("web", 1, "failed", labels={"owner": "me", "name": "web",
                                       "status": "failed", "version": "1"}),
    stored("web", 1, "failed", labels={"owner": "helm", "name": "web",
                                       "status": "failed", "version": "2"}),
    stored("web", 1, "failed", name="web.v1"),                             # Helm 2 naming
    stored("web", "0", "failed"),
    stored("web", "1x", "failed"),
    stored("web", 1, ["failed"]),
    stored("web", 1, None),
    stored("web", 1, "failed", labels={"owner": "helm", "name": 7, "status": {},
                                       "version": None}),
])
def test_look_alikes_are_not_revisions(obj: KubeObject) -> None:
    assert helm_revision(obj) is None
    assert list(conditions(obj)) == []


def test_a_custom_kind_named_secret_keeps_its_own_conditions() -> None:
    obj = KubeObject({"apiVersion": "example.com/v1", "kind": "Secret",
                      "metadata": {"name": "sh.helm.release.v1.web.v1",
                                   "labels": {"owner": "helm", "name": "web",
                                              "status": "failed", "version": "1"}},
                      "status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    assert [(c.type, c.status) for c in conditions(obj)] == [("Ready", "True")]


def test_releases_grouped_with_the_latest_revision_by_number() -> None:
    objs = [stored("web", 9, "superseded"), stored("web", 10, "pending-upgrade"),
            stored("web", 2, "failed"), stored("web", 1, "deployed", namespace="other"),
            stored("web", 11, "deployed", kind="ConfigMap")]
    releases = helm_releases(objs)
    got = [(r.kind, r.namespace, r.name, [v.revision for v in r.revisions]) for r in releases]
    assert got == [("ConfigMap", "shop", "web", [11]), ("Secret", "other", "web", [1]),
                   ("Secret", "shop", "web", [10, 9, 2])]
    shop = releases[2]
    assert shop.latest.status == "pending-upgrade"
    assert shop.last_with("failed") is not None and shop.last_with("failed").revision == 2
    assert shop.last_with("deployed") is None


def test_age_is_the_latest_of_labels_and_creation_time() -> None:
    labels = {"owner": "helm", "name": "web", "status": "deployed", "version": "1",
              "createdAt": "1717146000", "modifiedAt": "1717236000"}
    rev = helm_revision(stored("web", 1, "deployed", labels=dict(labels)))
    assert rev is not None and rev.modified_at is not None
    assert rev.modified_at.isoformat() == "2024-06-01T10:00:00+00:00"
    # labels copied stale from the previous revision (helm#32404): the object is newer
    obj = _dated(stored("web", 1, "deployed", labels=dict(labels)), "2024-06-01T11:50:00Z")
    rev = helm_revision(obj)
    assert rev is not None and rev.modified_at is not None
    assert rev.modified_at.isoformat() == "2024-06-01T11:50:00+00:00"
    obj = stored("web", 1, "deployed", labels={**labels, "modifiedAt": "9" * 40,
                                               "createdAt": "soon"})
    obj.raw["metadata"]["creationTimestamp"] = "2024-05-01T00:00:00Z"
    rev = helm_revision(obj)
    assert rev is not None and rev.modified_at is not None
    assert rev.modified_at.isoformat() == "2024-05-01T00:00:00+00:00"
    assert helm_revision(stored("web", 1, "deployed")).modified_at is None  # type: ignore[union-attr]


def test_a_running_upgrade_with_stale_labels_is_not_stuck(tmp_path: Path) -> None:
    stale = {"owner": "helm", "name": "web", "status": "pending-upgrade", "version": "2",
             "createdAt": "1716192000", "modifiedAt": "1716192000"}
    running = _dated(stored("web", 2, "pending-upgrade", labels=stale), "2024-06-01T11:58:00Z")
    assert _st009(tmp_path, [running]) == []


class _NoPayload(dict):  # type: ignore[type-arg]
    """A raw object whose payload fields blow up when read."""

    def __getitem__(self, key: str) -> Any:
        if key in ("data", "stringData", "binaryData"):
            raise AssertionError(f"read {key}")
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        if key in ("data", "stringData", "binaryData"):
            raise AssertionError(f"read {key}")
        return super().get(key, default)


def test_the_release_payload_is_never_read() -> None:
    obj = stored("web", 4, "pending-upgrade")
    obj.raw = _NoPayload(obj.raw)
    assert helm_revision(obj) is not None
    assert [c.status for c in conditions(obj)] == ["Unknown"]
    assert helm_releases([obj])[0].latest.revision == 4



def _st009(tmp_path: Path, objs: list[KubeObject],
           options: dict[str, Any] | None = None) -> list[tuple[str, str, str]]:
    path = tmp_path / "in.yaml"
    path.write_text(yaml.safe_dump_all([dict(o.raw) for o in objs]))
    report = audit([str(path)], now="2024-06-01T12:00:00Z", select=["ST009"],
                   options={"ST009": options or {}})
    return [(f["object"]["name"], f["severity"], f["message"]) for f in report["findings"]]


def _dated(obj: KubeObject, when: str) -> KubeObject:
    obj.raw["metadata"]["creationTimestamp"] = when
    return obj


def test_grace_and_undated_pending_work(tmp_path: Path) -> None:
    recent = _dated(stored("web", 2, "pending-upgrade"), "2024-06-01T11:50:00Z")
    assert _st009(tmp_path, [recent]) == []
    (hit,) = _st009(tmp_path, [recent], {"grace": "5m"})
    assert hit[:2] == ("sh.helm.release.v1.web.v2", "error")
    assert "for 10m (since 2024-06-01T11:50:00Z)" in hit[2]
    (undated,) = _st009(tmp_path, [stored("web", 2, "pending-upgrade")])
    assert undated[1] == "info" and "when it started is not recorded" in undated[2]


def test_only_the_latest_revision_counts(tmp_path: Path) -> None:
    old = "2024-05-01T00:00:00Z"
    history = [_dated(stored("web", 1, "pending-install"), old),
               _dated(stored("web", 2, "failed"), old),
               _dated(stored("web", 3, "superseded"), old),
               _dated(stored("web", 4, "deployed"), old)]
    assert _st009(tmp_path, history) == []
    history.append(_dated(stored("web", 5, "pending-upgrade"), old))
    (hit,) = _st009(tmp_path, history)
    assert hit[0] == "sh.helm.release.v1.web.v5"
    assert "`helm rollback -n shop web 4`" in hit[2]
