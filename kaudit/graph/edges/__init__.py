"""Every relation the graph knows, one extractor each. Add a relation by adding a module here
(or a ``FieldRef`` line) and listing it in ``EXTRACTORS``."""

from __future__ import annotations

from kaudit.graph.edges import (
    apiservice,
    crds,
    crossplane,
    events,
    gateway,
    kcp,
    kong_credentials,
    kong_plugins,
    namespaces,
    networking,
    ownerrefs,
    storage,
    workloads,
)
from kaudit.graph.edges.fieldrefs import FieldRef, field_extractor
from kaudit.graph.model import Extractor

FIELD_REFS: tuple[FieldRef, ...] = (
    events.CORE_EVENT,
    events.EVENTS_V1,
    crossplane.CLAIM_TO_XR,
    crossplane.XR_TO_CLAIM,
    crossplane.XR_TO_CLAIM_V2,
    crossplane.XR_TO_COMPOSED,
    crossplane.XR_TO_COMPOSED_V2,
    kong_credentials.CONSUMER_TO_CREDENTIAL,
    kcp.BINDING_TO_EXPORT,
    kcp.EXPORT_TO_SCHEMA,
    kcp.EXPORT_TO_SCHEMA_V1A2,
    apiservice.APISERVICE_SERVICE,
    *networking.FIELD_REFS,
    *storage.FIELD_REFS,
)

EXTRACTORS: tuple[Extractor, ...] = (
    ownerrefs.EXTRACTOR,
    namespaces.EXTRACTOR,
    crds.EXTRACTOR,
    workloads.EXTRACTOR,
    kong_plugins.EXTRACTOR,
    networking.ISSUER_EXTRACTOR,
    gateway.PARENT_EXTRACTOR,
    gateway.BACKEND_EXTRACTOR,
    *(field_extractor(ref) for ref in FIELD_REFS),
)

RELATIONS: tuple[str, ...] = tuple(sorted({r for e in EXTRACTORS for r in e.relations()}))
"""Every relation an edge of the graph can carry, derived from ``EXTRACTORS``."""

__all__ = ["EXTRACTORS", "FIELD_REFS", "RELATIONS", "FieldRef"]
