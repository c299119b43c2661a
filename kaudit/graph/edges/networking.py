"""Ingress -> its backend Services, IngressClass and TLS Secrets; cert-manager Certificate ->
the Secret it writes and the issuer it asks.

Declarative ``FieldRef`` lines: each is one field a controller follows by name.
"""

from __future__ import annotations

from collections.abc import Iterator

from kaudit.graph.edges.fieldrefs import ANY, FieldRef
from kaudit.graph.model import Edge, Extractor
from kaudit.model import ObjectRef
from kaudit.snapshot import Snapshot
from kaudit.snapshot.reads import NOTHING

BACKEND = "backend"          # Ingress -> Service
INGRESS_CLASS = "ingress-class"
TLS_SECRET = "tls-secret"    # Ingress -> Secret
WRITES_SECRET = "writes-secret"  # Certificate -> the Secret cert-manager writes into
ISSUER = "issuer"            # Certificate -> Issuer / ClusterIssuer

_INGRESS = frozenset({("networking.k8s.io", "Ingress")})
_INGRESS_V1BETA1 = frozenset({("extensions", "Ingress"), ("networking.k8s.io", "Ingress")})
_CERTIFICATE = frozenset({("cert-manager.io", "Certificate")})
_SERVICE = ("v1", "Service")
_SECRET = ("v1", "Secret")

INGRESS_DEFAULT_BACKEND = FieldRef(BACKEND, ("spec", "defaultBackend", "service"),
                                   kinds=_INGRESS, target=_SERVICE)
INGRESS_RULE_BACKEND = FieldRef(
    BACKEND, ("spec", "rules", ANY, "http", "paths", ANY, "backend", "service"),
    kinds=_INGRESS, target=_SERVICE)
INGRESS_RULE_BACKEND_V1BETA1 = FieldRef(
    BACKEND, ("spec", "rules", ANY, "http", "paths", ANY, "backend", "serviceName"),
    kinds=_INGRESS_V1BETA1, target=_SERVICE)
INGRESS_CLASS_NAME = FieldRef(INGRESS_CLASS, ("spec", "ingressClassName"), kinds=_INGRESS,
                              target=("networking.k8s.io/v1", "IngressClass"),
                              cluster_scoped_target=True)
INGRESS_TLS = FieldRef(TLS_SECRET, ("spec", "tls", ANY, "secretName"), kinds=_INGRESS,
                       target=_SECRET)
CERTIFICATE_SECRET = FieldRef(WRITES_SECRET, ("spec", "secretName"), kinds=_CERTIFICATE,
                              target=_SECRET)

FIELD_REFS: tuple[FieldRef, ...] = (
    INGRESS_DEFAULT_BACKEND, INGRESS_RULE_BACKEND, INGRESS_RULE_BACKEND_V1BETA1,
    INGRESS_CLASS_NAME, INGRESS_TLS, CERTIFICATE_SECRET,
)


def issuer_edges(snapshot: Snapshot) -> Iterator[Edge]:
    """``spec.issuerRef``: kind defaults to Issuer (namespaced), group to cert-manager.io;
    external issuers keep their own group."""
    for obj in snapshot.of_kind("Certificate", "cert-manager.io"):
        ref = obj.spec.get("issuerRef")
        if not isinstance(ref, dict) or not isinstance(ref.get("name"), str):
            continue
        kind = str(ref.get("kind") or "Issuer")
        group = str(ref.get("group") or "cert-manager.io")
        namespace = "" if kind == "ClusterIssuer" else obj.namespace
        yield Edge(obj.key, ObjectRef(f"{group}/v1", kind, namespace, ref["name"]), ISSUER,
                   "/spec/issuerRef")


ISSUER_EXTRACTOR = Extractor(ISSUER, issuer_edges, reads=NOTHING)
