"""An aggregated API that is down, and what it takes down with it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from kaudit.aggregation import backend, is_aggregated
from kaudit.rules import (
    NOTHING,
    Family,
    Finding,
    ObjectRef,
    Related,
    Rule,
    RuleContext,
    Severity,
    format_duration,
    maybe_time,
    related,
)
from kaudit.rules.conditions import first
from kaudit_rules.schema.apis import apiservices, group_version


class ApiserviceUnavailable(Rule):
    """An aggregated APIService is ``Available=False``: discovery, namespace deletion and GC stall.

    kube-apiserver proxies an aggregated group/version (metrics.k8s.io, custom metrics,
    extension servers) to a Service. While that backend is down, API discovery is incomplete:
    ``kubectl`` prints "unable to retrieve the complete list of server APIs", namespace
    deletion cannot list the group's content and stays Terminating
    (``NamespaceDeletionDiscoveryFailure``), and the garbage collector and quota controllers
    stop syncing for every resource. The finding names the backend Service, the reason the
    aggregator gives, and the Terminating namespaces the outage holds up. An APIService that
    turned unavailable less than ``grace`` ago (a backend restarting) is not reported yet.
    Fix: bring the backend back (its Pods, endpoints and certificates), or delete the
    APIService if the extension server was uninstalled.
    """

    code = "SC004"
    name = "apiservice-unavailable"
    family = Family.SCHEMA
    severity = Severity.ERROR
    reads = NOTHING

    @dataclass(frozen=True)
    class Options:
        grace: timedelta = timedelta(minutes=5)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        terminating = [ns for ns in ctx.objects("Namespace", "")
                       if ns.deletion_timestamp is not None]
        for svc in apiservices(ctx):
            if not is_aggregated(svc):
                continue  # Local APIServices are served by kube-apiserver itself
            cond = first(svc, "Available")
            if cond is None or cond.status != "False":
                continue
            group, version = group_version(svc)
            gv = f"{group}/{version}"
            since = maybe_time(cond.last_transition)
            if since is not None and ctx.now - since < ctx.options.grace:
                continue
            age = f" for {format_duration(ctx.now - since)}" if since else ""
            reason = cond.reason or "unknown reason"
            message = cond.raw.get("message")
            detail = f": {message}" if message else ""
            service = backend(svc)
            blocked = [ns for ns in terminating
                       if any(gv in str(c.get("message") or "") or group in
                              str(c.get("message") or "")
                              for c in ns.conditions
                              if c.get("type") == "NamespaceDeletionDiscoveryFailure"
                              and str(c.get("status")) == "True")]
            held = (f"; namespace {', '.join(ns.name for ns in blocked)} cannot finish "
                    "deleting because of it" if blocked else "")
            rel: list[Related] = []
            if service is not None:
                namespace = str(service.get("namespace") or "")
                rel.append(related(ObjectRef("v1", "Service", namespace, str(service["name"])),
                                   "backend"))
                behind = f"its backend is Service {namespace}/{service['name']}"
            else:
                behind = ("it is an aggregated API (its status says so) whose spec.service is "
                          "not in the inputs")
            rel.extend(related(ns, "blocked") for ns in blocked)
            yield self.finding(
                svc, at=cond.pointer,
                message=f"APIService {svc.name} has been unavailable{age} ({reason}{detail}); "
                        f"{behind}. Until it recovers, discovery of {gv} fails, so namespace "
                        f"deletion cannot finish and garbage collection stalls{held}",
                related=rel)
