"""Crossplane claim <-> composite (XR) <-> composed managed resources.

v1 XRs and claims keep the references directly under ``spec``; v2 moved them under
``spec.crossplane``. Claim and XR kinds are user-defined (XRDs), so these match any kind whose
field has the object-reference shape.
"""

from __future__ import annotations

from kaudit.graph.edges.fieldrefs import ANY, FieldRef

RESOURCE = "composite"      # claim -> its XR
CLAIM = "claim"             # XR -> its claim
COMPOSES = "composes"       # XR -> each composed resource

CLAIM_TO_XR = FieldRef(RESOURCE, ("spec", "resourceRef"))
XR_TO_CLAIM = FieldRef(CLAIM, ("spec", "claimRef"))
XR_TO_CLAIM_V2 = FieldRef(CLAIM, ("spec", "crossplane", "claimRef"))
XR_TO_COMPOSED = FieldRef(COMPOSES, ("spec", "resourceRefs", ANY))
XR_TO_COMPOSED_V2 = FieldRef(COMPOSES, ("spec", "crossplane", "resourceRefs", ANY))
