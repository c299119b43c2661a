"""Helm 3 releases as the cluster stores them: one Secret (or ConfigMap, with Helm's
``configmap`` storage driver) per revision, described by its labels.

Helm writes each revision of a release to ``sh.helm.release.v1.<release>.v<revision>`` with
the labels ``owner=helm``, ``name`` (the release), ``version`` (the revision), ``status``
and, since Helm 3.x, ``createdAt``/``modifiedAt`` (Unix seconds); a Secret also has type
``helm.sh/release.v1`` (helm ``pkg/storage/driver/secrets.go``, ``cfgmaps.go``). Everything
kaudit needs is in those labels: the revision's payload (the rendered chart and its values,
often holding credentials) is never read -- a Secret's is digested on load anyway, and a live
scan lists Secrets as metadata only, without even their type. So a release storage object is
recognised by its name and labels alone.

Only the latest revision says how a release is: Helm reads ``Releases.Last`` and refuses
every install, upgrade and rollback with "another operation (install/upgrade/rollback) is in
progress" while it is ``pending-*``; older revisions are ``superseded`` history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from kaudit.snapshot import KubeObject

KINDS: frozenset[str] = frozenset({"Secret", "ConfigMap"})
"""The storage drivers' kinds (both core group)."""
SECRET_TYPE = "helm.sh/release.v1"
_NAME = re.compile(r"^sh\.helm\.release\.v1\.(?P<release>.+)\.v(?P<revision>[1-9][0-9]{0,8})$")

DEPLOYED = "deployed"
FAILED = "failed"
SUPERSEDED = "superseded"
UNINSTALLING = "uninstalling"
UNINSTALLED = "uninstalled"
PENDING: frozenset[str] = frozenset({"pending-install", "pending-upgrade", "pending-rollback"})
"""Helm's ``Status.IsPending()``: a latest revision in one of these blocks every other
operation on the release."""

RELEASED: Mapping[str, str] = {
    DEPLOYED: "True",
    FAILED: "False",
    "pending-install": "Unknown",
    "pending-upgrade": "Unknown",
    "pending-rollback": "Unknown",
    UNINSTALLING: "Unknown",
    "unknown": "Unknown",
}
"""A revision's ``status`` label read as a ``Released`` condition (helm ``pkg/release/
status.go``). ``superseded`` and ``uninstalled`` are history, not health: no condition."""


@dataclass(frozen=True, slots=True)
class HelmRevision:
    """One stored revision of a Helm release."""

    obj: KubeObject
    release: str
    revision: int
    status: str

    @property
    def namespace(self) -> str:
        return self.obj.namespace

    @property
    def modified_at(self) -> datetime | None:
        """When Helm last wrote this revision: the latest of its ``modifiedAt`` and
        ``createdAt`` labels and the object's creation time. The latest, because the labels
        can be stale: ``helm upgrade`` copies the previous revision's ``createdAt`` and
        ``modifiedAt`` into the new one (helm#32404), and older Helm 3 releases have
        neither; a revision cannot have been written before its object was created."""
        found: list[datetime] = []
        for label in ("modifiedAt", "createdAt"):
            value = self.obj.labels.get(label)
            if isinstance(value, str) and value.isdigit() and len(value) <= 12:
                found.append(datetime.fromtimestamp(int(value), UTC))
        created = self.obj.creation_timestamp
        if created is not None:
            found.append(created)
        return max(found) if found else None

    def describe(self) -> str:
        return f"Helm release {self.release} revision {self.revision}"


def helm_revision(obj: KubeObject) -> HelmRevision | None:
    """The Helm revision ``obj`` stores, or ``None``: a core Secret or ConfigMap named
    ``sh.helm.release.v1.<release>.v<revision>`` whose ``owner``, ``name``, ``version`` and
    ``status`` labels agree with its name (a Secret of another type is not one)."""
    if obj.kind not in KINDS or obj.group or not obj.name.startswith("sh.helm.release.v1."):
        return None
    labels = obj.labels
    if labels.get("owner") != "helm":
        return None
    if obj.kind == "Secret" and obj.raw.get("type") not in (None, SECRET_TYPE):
        return None
    match = _NAME.match(obj.name)
    status = labels.get("status")
    if match is None or not isinstance(status, str) or not status:
        return None
    release, revision = match.group("release"), match.group("revision")
    if labels.get("name") != release or labels.get("version") != revision:
        return None
    return HelmRevision(obj, release, int(revision), status)


@dataclass(frozen=True, slots=True)
class HelmRelease:
    """A release's stored revisions, newest first."""

    kind: str
    namespace: str
    name: str
    revisions: tuple[HelmRevision, ...]

    @property
    def latest(self) -> HelmRevision:
        return self.revisions[0]

    def last_with(self, status: str) -> HelmRevision | None:
        """The newest revision in ``status`` other than the latest."""
        return next((r for r in self.revisions[1:] if r.status == status), None)


def helm_releases(objects: Iterable[KubeObject]) -> list[HelmRelease]:
    """Every release found among ``objects``, grouped per storage kind, namespace and name
    (sorted, so findings come out in one order)."""
    grouped: dict[tuple[str, str, str], list[HelmRevision]] = {}
    for obj in objects:
        rev = helm_revision(obj)
        if rev is not None:
            grouped.setdefault((obj.kind, obj.namespace, rev.release), []).append(rev)
    return [HelmRelease(kind, namespace, name,
                        tuple(sorted(revs, key=lambda r: r.revision, reverse=True)))
            for (kind, namespace, name), revs in sorted(grouped.items())]
