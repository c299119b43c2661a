"""Event -> the object it is about (``involvedObject`` in core/v1, ``regarding`` in events/v1)."""

from __future__ import annotations

from kaudit.graph.edges.fieldrefs import FieldRef

ABOUT = "about"

CORE_EVENT = FieldRef(ABOUT, ("involvedObject",), kinds=frozenset({("", "Event")}))
EVENTS_V1 = FieldRef(ABOUT, ("regarding",), kinds=frozenset({("events.k8s.io", "Event")}))
