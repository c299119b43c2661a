"""Helm releases whose latest revision is stuck in an operation or failed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from kaudit.rules import (
    NOTHING,
    Family,
    Finding,
    HelmRelease,
    HelmRevision,
    Rule,
    RuleContext,
    Severity,
    format_duration,
    format_time,
    helm_releases,
    related,
)
from kaudit.rules.helm import DEPLOYED, FAILED, PENDING, UNINSTALLING

_PENDING_ERROR = "another operation (install/upgrade/rollback) is in progress"


class HelmReleaseStuck(Rule):
    """The latest revision of a Helm 3 release is ``pending-*`` or ``uninstalling`` for longer
    than ``grace``, or ``failed``.

    Helm stores each revision of a release as a Secret (or ConfigMap)
    ``sh.helm.release.v1.<release>.v<revision>`` whose ``status`` label says how that revision
    went; only the latest counts. A ``helm upgrade`` killed mid-way (Ctrl-C, a CI job timeout,
    an evicted Flux/Argo/Rancher agent) leaves it ``pending-install``, ``pending-upgrade`` or
    ``pending-rollback`` for ever, and every ``helm upgrade`` (``--install`` too) of the
    release then fails with "another operation (install/upgrade/rollback) is in progress"
    (error; helm ``pkg/action/upgrade.go`` checks ``Status.IsPending()`` of the last revision).
    An uninstall that never finished leaves ``uninstalling`` (warning). A ``failed`` latest
    revision means the last install or upgrade did not complete: the release's objects may be
    half upgraded while the previous revision is still the one marked deployed (warning).
    Superseded revisions are history and never flagged, nor is a failed revision a later one
    replaced. Pending work younger than ``grace`` (default 15m, beyond Helm's 5m default
    ``--timeout``) may still be running; undated pending work is info. The age is from the
    latest of the revision's ``modifiedAt`` and ``createdAt`` labels and its creation time
    (``helm upgrade`` can copy stale labels from the previous revision, helm#32404). Only
    the labels are read, never the release payload.
    Fix: for a stuck upgrade or rollback, ``helm rollback`` to the last deployed revision (or,
    once sure no Helm process is running, delete the stuck revision's Secret so the previous
    one is the latest again); for a stuck first install, ``helm uninstall`` and install
    again; for a failed revision, read ``helm history`` and the release's events, fix the
    cause and upgrade again.
    """

    code = "ST009"
    name = "helm-release-stuck"
    family = Family.STATUS
    severity = Severity.WARNING
    reads = NOTHING

    @dataclass(frozen=True)
    class Options:
        grace: timedelta = timedelta(minutes=15)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        stored = [*ctx.objects("Secret", ""), *ctx.objects("ConfigMap", "")]
        for release in helm_releases(stored):
            latest = release.latest
            if latest.status in PENDING or latest.status == UNINSTALLING:
                yield from self._stuck(ctx, release)
            elif latest.status == FAILED:
                yield self._failed(release)

    def _stuck(self, ctx: RuleContext[Options], release: HelmRelease) -> Iterator[Finding]:
        latest = release.latest
        since = latest.modified_at
        if since is not None and ctx.now - since < ctx.options.grace:
            return
        when = (f"for {format_duration(ctx.now - since)} (since {format_time(since)})"
                if since is not None else "(when it started is not recorded)")
        where = _namespace_flag(release)
        deployed = release.last_with(DEPLOYED)
        if latest.status == UNINSTALLING:
            message = (f"{latest.describe()} is {latest.status} {when}: the uninstall never "
                       f"finished (a pre/post-delete hook or a killed helm process), so the "
                       f"release's objects may be partly deleted; run `helm uninstall "
                       f"{where}{release.name}` again, or remove the {release.kind} once its "
                       "objects are gone")
            yield self._finding(release, message, deployed,
                                Severity.WARNING if since is not None else Severity.INFO)
            return
        message = (f"{latest.describe()} is {latest.status} {when}: every `helm upgrade` "
                   f"of it fails with \"{_PENDING_ERROR}\"")
        if deployed is not None:
            message += (f"; revision {deployed.revision} is the last deployed: `helm "
                        f"rollback {where}{release.name} {deployed.revision}`, or, once no "
                        f"Helm process is running, delete {release.kind} {latest.obj.name} "
                        f"so that revision {deployed.revision} is the latest again")
        elif latest.status == "pending-install":
            message += (f"; no revision was ever deployed: `helm uninstall {where}"
                        f"{release.name}` and install again")
        else:
            message += (f"; no deployed revision is stored: once no Helm process is running, "
                        f"delete {release.kind} {latest.obj.name} or `helm uninstall`")
        # Undated (a dump stripped of timestamps): it may be running right now.
        yield self._finding(release, message, deployed,
                            Severity.ERROR if since is not None else Severity.INFO)

    def _failed(self, release: HelmRelease) -> Finding:
        latest = release.latest
        deployed = release.last_with(DEPLOYED)
        message = f"{latest.describe()} failed"
        if latest.modified_at is not None:
            message += f" (at {format_time(latest.modified_at)})"
        if deployed is not None:
            message += (f": revision {deployed.revision} is still marked deployed, but the "
                        "release's objects may be half upgraded to the failed one")
        else:
            message += ": no deployed revision of it is stored"
        message += (f"; read `helm history {_namespace_flag(release)}{release.name}` and the "
                    "objects' events, fix the cause and upgrade again")
        return self._finding(release, message, deployed, Severity.WARNING)

    def _finding(self, release: HelmRelease, message: str, deployed: HelmRevision | None,
                 severity: Severity) -> Finding:
        latest = release.latest
        rels = [related(deployed.obj, "last-deployed")] if deployed is not None else []
        return self.finding(
            latest.obj, at="/metadata/labels/status", message=message, related=rels,
            severity=severity,
            evidence={"release": release.name, "revision": latest.revision,
                      "status": latest.status},
        )


def _namespace_flag(release: HelmRelease) -> str:
    return f"-n {release.namespace} " if release.namespace else ""
