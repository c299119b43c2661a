"""Whether an object is a manifest about to be applied or an object read back from a cluster.

Apply-time checks (what the API server would refuse) only mean something for the former: an
object the API server already stored was accepted -- a nodePort outside the default range in
a live dump says the cluster's range is wider, not that the Service is invalid.
"""

from __future__ import annotations

from kaudit.snapshot import KubeObject


def is_manifest(obj: KubeObject) -> bool:
    """An object as written, not as read back: the API server sets ``uid``,
    ``resourceVersion`` and ``creationTimestamp`` on every object it stores."""
    meta = obj.metadata
    return not (meta.get("uid") or meta.get("resourceVersion") or meta.get("creationTimestamp"))
