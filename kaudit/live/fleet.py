"""Several clusters in one run: which contexts, and reading them concurrently.

Each cluster is read exactly as ``scan --context`` reads one (its own connection pool, rate
limit and coverage); at most ``FLEET_WORKERS`` are read at once, so a run over fifty contexts
neither opens fifty pools of connections nor waits for them one by one. A cluster that cannot
be read at all is returned with its reason: one unreachable cluster is not the end of the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from kaudit.live.errors import LiveError
from kaudit.live.kubeconfig import kubeconfig_paths
from kaudit.live.scan import LiveOptions, LiveRead, read_cluster

FLEET_WORKERS = 4
"""Clusters read at the same time (each with its own ``LiveOptions.workers`` list workers)."""


@dataclass(frozen=True)
class ClusterRead:
    context: str
    read: LiveRead | None
    error: str = ""
    """Why nothing could be read (``read`` is ``None`` then)."""


def all_contexts(kubeconfig: str | None) -> list[str]:
    """Every context named in the kubeconfig file(s), in file order, each once."""
    import os

    names: list[str] = []
    for path in kubeconfig_paths(kubeconfig).split(os.pathsep):
        file = Path(path).expanduser() if path else None
        if file is None or not file.is_file():
            continue
        try:
            doc = yaml.safe_load(file.read_text())
        except (OSError, yaml.YAMLError) as exc:
            raise LiveError(f"cannot read kubeconfig {file}: {exc}") from None
        for context in (doc or {}).get("contexts") or [] if isinstance(doc, dict) else []:
            name = context.get("name") if isinstance(context, dict) else None
            if isinstance(name, str) and name and name not in names:
                names.append(name)
    if not names:
        raise LiveError(f"--all-contexts: no context in {kubeconfig_paths(kubeconfig)}")
    return names


def contexts_from(path: Path) -> list[str]:
    """One context a line; blank lines and ``#`` comments are skipped."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise LiveError(f"--contexts-from {path}: {exc}") from None
    names: list[str] = []
    for line in text.splitlines():
        name = line.split("#", 1)[0].strip()
        if name and name not in names:
            names.append(name)
    if not names:
        raise LiveError(f"--contexts-from {path}: no context named")
    return names


def read_clusters(contexts: Sequence[str], options: LiveOptions,
                  workers: int = FLEET_WORKERS) -> list[ClusterRead]:
    """Each context read (in the given order); failures are returned, not raised."""

    def one(context: str) -> ClusterRead:
        try:
            return ClusterRead(context, read_cluster(replace(options, context=context,
                                                             progress=False)))
        except LiveError as exc:
            return ClusterRead(context, None, str(exc))

    with ThreadPoolExecutor(max(1, min(workers, len(contexts))),
                            thread_name_prefix="kaudit-cluster") as pool:
        return list(pool.map(one, contexts))
