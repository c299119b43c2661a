"""Which cluster to talk to, and how to authenticate, exactly as kubectl decides it.

The official client's loaders do the work (merged ``KUBECONFIG`` lists, exec plugins, client
certificates, tokens, in-cluster service accounts); kaudit only decides *which* file and context
to hand them, because the client reads ``KUBECONFIG`` once at import time and would miss a value
set later (by a test, or by a wrapper script that imports kaudit), and because its merger lets
the last file's ``current-context`` win where kubectl takes the first.
"""

from __future__ import annotations

import os
import re
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


def _existing_files(paths: str) -> list[Path]:
    """The files of a ``:``-separated kubeconfig list that exist, in order."""
    return [f for f in (Path(p).expanduser() for p in paths.split(os.pathsep) if p)
            if f.is_file()]


def _any_exists(paths: str) -> bool:
    return bool(_existing_files(paths))


def load_target(kubeconfig: str | None = None, context: str | None = None) -> ClusterTarget:
    """Resolve the cluster; ``LiveError`` with a clear reason when there is none."""
    paths = kubeconfig_paths(kubeconfig)
    configuration = k8s_client.Configuration()
    if not _any_exists(paths):
        if not kubeconfig and not context and os.environ.get("KUBERNETES_SERVICE_HOST"):
            return _in_cluster(configuration)
        raise NoKubeconfigError(
            f"no kubeconfig found at {paths} (give --kubeconfig or set KUBECONFIG)")
    _check_syntax(paths)
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


def _check_syntax(paths: str) -> None:
    """A kubeconfig that is not valid YAML is reported here, by file, line and column only.

    The loader's own YAML error quotes the offending line, and in a kubeconfig that line may
    well be a token or a client key; so does the problem text of some errors (a tag, an
    alias). Neither is repeated: quoted text is elided."""
    for file in _existing_files(paths):
        try:
            doc = yaml.safe_load(file.read_bytes())
        except OSError as exc:
            raise LiveError(f"cannot read kubeconfig {file}: {exc.strerror or exc}") from None
        except yaml.YAMLError as exc:
            raise LiveError(f"kubeconfig {file}{_position(exc)}: not valid YAML"
                            f"{_problem(exc)}") from None
        if doc is not None and not isinstance(doc, dict):
            raise LiveError(f"kubeconfig {file}: not a kubeconfig (a {type(doc).__name__}, "
                            "not a mapping)")


def _position(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        return f", line {mark.line + 1}, column {mark.column + 1}"
    if isinstance(exc, yaml.reader.ReaderError):  # bytes that are not text: no line yet
        return f", byte {exc.position + 1}"
    return ""


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def _problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    if not isinstance(problem, str) or not problem:
        return ""
    return f" ({_QUOTED.sub('…', problem)})"


def _first_current_context(paths: str) -> str | None:
    """kubectl takes ``current-context`` from the first file of ``KUBECONFIG`` that sets it;
    the Python client's merger lets the last one win, so it is looked up here."""
    for file in _existing_files(paths):
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
