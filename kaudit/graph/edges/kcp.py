"""kcp: APIBinding -> the APIExport it binds -> the APIResourceSchemas that export serves.

An APIBinding names its export by workspace path and name (``spec.reference.export``); the
export lists its schemas by name (v1alpha1 ``spec.latestResourceSchemas``, v1alpha2
``spec.resources[].schema``). All three kinds are cluster-scoped inside a logical cluster;
the graph keys objects without the logical cluster, so a dump of several workspaces that reuse
one export name resolves to whichever the snapshot holds.
"""

from __future__ import annotations

from kaudit.graph.edges.fieldrefs import ANY, FieldRef

BINDS = "binds"        # APIBinding -> APIExport
EXPORTS = "exports"    # APIExport -> APIResourceSchema
KCP_APIS = "apis.kcp.io"
_V1A1 = f"{KCP_APIS}/v1alpha1"

BINDING_TO_EXPORT = FieldRef(
    BINDS, ("spec", "reference", "export", "name"),
    kinds=frozenset({(KCP_APIS, "APIBinding")}), target=(_V1A1, "APIExport"),
    cluster_scoped_target=True)
EXPORT_TO_SCHEMA = FieldRef(
    EXPORTS, ("spec", "latestResourceSchemas", ANY),
    kinds=frozenset({(KCP_APIS, "APIExport")}), target=(_V1A1, "APIResourceSchema"),
    cluster_scoped_target=True)
EXPORT_TO_SCHEMA_V1A2 = FieldRef(
    EXPORTS, ("spec", "resources", ANY, "schema"),
    kinds=frozenset({(KCP_APIS, "APIExport")}), target=(_V1A1, "APIResourceSchema"),
    cluster_scoped_target=True)
