"""Every relation the graph knows, one extractor each. Add a relation by adding a module here
(or a ``FieldRef`` line) and listing it in ``EXTRACTORS``."""

from __future__ import annotations

from kaudit.graph.edges import (
    crds,
    crossplane,
    events,
    kong_plugins,
    namespaces,
    networking,
    ownerrefs,
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
    *networking.FIELD_REFS,
)

EXTRACTORS: tuple[Extractor, ...] = (
    ownerrefs.EXTRACTOR,
    namespaces.EXTRACTOR,
    crds.EXTRACTOR,
    kong_plugins.EXTRACTOR,
    networking.ISSUER_EXTRACTOR,
    *(field_extractor(ref) for ref in FIELD_REFS),
)

__all__ = ["EXTRACTORS", "FIELD_REFS", "FieldRef"]
