"""``kaudit watch``: the cluster kept current by watch streams, the rules re-evaluated as it
changes, findings served as Prometheus metrics and JSON (see ``runner``)."""

from kaudit.watch.runner import Watch, WatchConfig

__all__ = ["Watch", "WatchConfig"]
