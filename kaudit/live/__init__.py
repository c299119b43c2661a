"""The live source: read a running cluster into a ``Snapshot``.

The only package allowed to import the ``kubernetes`` client (an import-linter contract says
so), and only for kubeconfig, credentials and the connection pool; requests are our own GETs.
"""

from kaudit.live.errors import LiveError, NoKubeconfigError
from kaudit.live.scan import LiveOptions, LiveRead, read_cluster

__all__ = ["LiveError", "LiveOptions", "LiveRead", "NoKubeconfigError", "read_cluster"]
