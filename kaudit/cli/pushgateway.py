"""``--pushgateway URL``: push a run's metrics to a Prometheus Pushgateway.

A CronJob's metrics outlive the pod only if they are pushed. ``prometheus_client`` does the
push: an HTTP ``PUT`` of the text format to ``/metrics/job/kaudit/cluster/<context>`` for a
live cluster (``/metrics/job/kaudit`` for files), replacing that group's previous push. The
request goes to the Pushgateway, never to a cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.error import URLError

from prometheus_client import push_to_gateway

from kaudit.cli.common import UsageError
from kaudit.report.prometheus_format import Observed, registry_for

JOB = "kaudit"
PUSH_TIMEOUT = 30.0


def push(url: str, observed: Sequence[Observed], cluster: str) -> None:
    """Push; ``UsageError`` naming the gateway when it cannot be reached or refuses."""
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"--pushgateway {url!r}: give an http:// or https:// URL")
    try:
        push_to_gateway(url, job=JOB, registry=registry_for(observed),
                        grouping_key={"cluster": cluster} if cluster else None,
                        timeout=PUSH_TIMEOUT)
    except (URLError, OSError, ValueError) as exc:
        raise UsageError(f"--pushgateway {url}: push failed: {exc}") from None
