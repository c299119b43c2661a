"""Which cluster to talk to, and how to authenticate, exactly as kubectl decides it.

The official client's loaders do the work (merged ``KUBECONFIG`` lists, exec plugins, client
certificates, tokens, in-cluster service accounts); kaudit only decides *which* file and context
to hand them, because the client reads ``KUBECONFIG`` once at import time and would miss a value
set later (by a test, or by a wrapper script that imports kaudit), and because its merger lets
the last file's ``current-context`` win where kubectl takes the first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from kubernetes.config.config_exception import ConfigException

from kaudit.live.errors import LiveError, NoKubeconfigError

DEFAULT_KUBECONFIG = "~/.kube/config"
IN_CLUSTER = "in-cluster"


@dataclass(frozen=True)
class ClusterTarget:
    """A configured client for one cluster, plus what the report may say about it."""

    context: str
    server: str
    configuration: k8s_client.Configuration


def kubeconfig_paths(explicit: str | None) -> str:
    """``--kubeconfig`` wins, then ``KUBECONFIG`` (several files joined by ``:``), then the
    default file, as kubectl's loading rules say."""
    if explicit:
        return explicit
    return os.environ.get("KUBECONFIG") or DEFAULT_KUBECONFIG


def _any_exists(paths: str) -> bool:
    return any(Path(p).expanduser().is_file() for p in paths.split(os.pathsep) if p)


def load_target(kubeconfig: str | None = None, context: str | None = None) -> ClusterTarget:
    """Resolve the cluster; ``LiveError`` with a clear reason when there is none."""
    paths = kubeconfig_paths(kubeconfig)
    configuration = k8s_client.Configuration()
    if not _any_exists(paths):
        if not kubeconfig and not context and os.environ.get("KUBERNETES_SERVICE_HOST"):
            return _in_cluster(configuration)
        raise NoKubeconfigError(
            f"no kubeconfig found at {paths} (give --kubeconfig or set KUBECONFIG)")
    try:
        contexts, active = k8s_config.list_kube_config_contexts(config_file=paths)
        name = context or _first_current_context(paths) or (active or {}).get("name")
        if context and not any(c.get("name") == context for c in contexts or []):
            known = ", ".join(sorted(str(c.get("name")) for c in contexts or [])) or "none"
            raise LiveError(f"context {context!r} not found in {paths} (known: {known})")
        k8s_config.load_kube_config(config_file=paths, context=name,
                                    client_configuration=configuration, persist_config=False)
    except (ConfigException, OSError, ValueError) as exc:
        # Exec plugins that fail or are missing end up here too.
        raise LiveError(f"cannot use kubeconfig {paths}: {exc}") from None
    return ClusterTarget(context=str(name or ""), server=_public_server(configuration.host),
                         configuration=configuration)


def _first_current_context(paths: str) -> str | None:
    """kubectl takes ``current-context`` from the first file of ``KUBECONFIG`` that sets it;
    the Python client's merger lets the last one win, so it is looked up here."""
    for path in paths.split(os.pathsep):
        file = Path(path).expanduser() if path else None
        if file is None or not file.is_file():
            continue
        try:
            doc = yaml.safe_load(file.read_text())
        except (OSError, yaml.YAMLError):
            continue  # the client's loader reports unreadable files with their reason
        current = doc.get("current-context") if isinstance(doc, dict) else None
        if current:
            return str(current)
    return None


def _in_cluster(configuration: k8s_client.Configuration) -> ClusterTarget:
    try:
        k8s_config.load_incluster_config(client_configuration=configuration)
    except ConfigException as exc:
        raise LiveError(f"cannot use the in-cluster service account: {exc}") from None
    return ClusterTarget(context=IN_CLUSTER, server=_public_server(configuration.host),
                         configuration=configuration)


def _public_server(host: str) -> str:
    """The server URL without anything a kubeconfig might (wrongly) embed as a credential:
    userinfo (``user:password@``), a query (``?token=…``) and a fragment."""
    scheme, sep, rest = host.partition("://")
    if not sep:
        return host.partition("?")[0].partition("#")[0]
    rest = rest.partition("#")[0].partition("?")[0]
    netloc, slash, path = rest.partition("/")
    return f"{scheme}://{netloc.rpartition('@')[2]}{slash}{path}"
