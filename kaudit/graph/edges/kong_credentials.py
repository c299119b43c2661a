"""KongConsumer -> the credential Secrets it lists in ``credentials``.

KIC only turns a Secret labelled ``konghq.com/credential`` into a Kong credential when a
KongConsumer of its ingress class lists it; the unique-field packs follow this edge to know
which Secrets Kong actually sees, and under which class.
"""

from __future__ import annotations

from kaudit.graph.edges.fieldrefs import ANY, FieldRef

KONG_CREDENTIAL = "kong-credential"
KONG_GROUP = "configuration.konghq.com"

CONSUMER_TO_CREDENTIAL = FieldRef(
    KONG_CREDENTIAL, ("credentials", ANY),
    kinds=frozenset({(KONG_GROUP, "KongConsumer")}), target=("v1", "Secret"))
