"""An aggregated API that is down, and what it takes down with it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from kaudit.rules import (
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
from kaudit_rules.schema.apis import apiservices


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

    @dataclass(frozen=True)
    class Options:
        grace: timedelta = timedelta(minutes=5)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        terminating = [ns for ns in ctx.objects("Namespace", "")
                       if ns.deletion_timestamp is not None]
        for svc in apiservices(ctx):
            backend = svc.spec.get("service")
            if not isinstance(backend, dict) or not backend.get("name"):
                continue  # Local APIServices are served by kube-apiserver itself
            found = next(((i, c) for i, c in svc.iter_conditions_with_index()
                          if c.get("type") == "Available"), None)
            if found is None or str(found[1].get("status")) != "False":
                continue
            index, cond = found
            group = str(svc.spec.get("group") or "")
            version = str(svc.spec.get("version") or "")
            gv = f"{group}/{version}"
            namespace = str(backend.get("namespace") or "")
            service_ref = ObjectRef("v1", "Service", namespace, str(backend["name"]))
            since = maybe_time(cond.get("lastTransitionTime"))
            if since is not None and ctx.now - since < ctx.options.grace:
                continue
            age = f" for {format_duration(ctx.now - since)}" if since else ""
            reason = cond.get("reason") or "unknown reason"
            detail = f": {cond['message']}" if cond.get("message") else ""
            blocked = [ns for ns in terminating
                       if any(gv in str(c.get("message") or "") or group in
                              str(c.get("message") or "")
                              for c in ns.conditions
                              if c.get("type") == "NamespaceDeletionDiscoveryFailure"
                              and str(c.get("status")) == "True")]
            held = (f"; namespace {', '.join(ns.name for ns in blocked)} cannot finish "
                    "deleting because of it" if blocked else "")
            rel: list[Related] = [related(service_ref, "backend")]
            rel.extend(related(ns, "blocked") for ns in blocked)
            yield self.finding(
                svc, at=f"/status/conditions/{index}",
                message=f"APIService {svc.name} has been unavailable{age} ({reason}{detail}); "
                        f"its backend is Service {namespace}/{backend['name']}. Until it "
                        f"recovers, discovery of {gv} fails, so namespace deletion cannot "
                        f"finish and garbage collection stalls{held}",
                related=rel)
