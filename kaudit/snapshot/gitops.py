"""GitOps repositories: Helm charts and kustomize folders inside a scanned folder.

``kaudit scan .`` on a GitOps repository meets files that are not manifests although they
end in ``.yaml``:

- a folder with ``Chart.yaml`` is a Helm chart: ``templates/`` holds Go templates (``{{ … }}``
  breaks YAML), ``values.yaml`` and ``Chart.yaml`` are not Kubernetes objects. The whole chart
  is left out of the file walk and one notice (KA001, info) per chart says how to render it;
  with ``--helm`` (a ``helm`` binary on PATH) kaudit runs ``helm template`` itself.
- a folder with ``kustomization.yaml`` is kustomize: the kustomization file and the patches it
  names are fragments of objects, not objects (a patch would look like a duplicate of the base
  object it patches). Both are left out, with one notice per kustomization; the plain
  resources it lists are still read as files. With ``--kustomize``, every kustomization that
  no other one in the tree builds on (the overlays, or a lone base) is rendered with
  ``kubectl kustomize`` and its folder tree is read only through that rendering.

Rendering runs only when the command line asks (``--helm``, ``--kustomize``; DESIGN §7): no
exec plugins or KRM functions are enabled, output is bounded and a renderer gets a deadline.
A failed render is a KA001 error naming the command, never a crash.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kaudit.model import InputProblem, Severity, SourceLocation
from kaudit.snapshot import limits as input_limits
from kaudit.snapshot.reader import ReadError, read_input

CHART_FILE = "Chart.yaml"
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
PATCH_KEYS = ("patchesStrategicMerge", "patches", "patchesJson6902")
RENDER_TIMEOUT = 120.0
"""Seconds one ``helm template`` or ``kubectl kustomize`` may take."""
RENDER_LIMIT = 256 * 1024 * 1024
"""Bytes of rendered YAML accepted from one renderer."""


@dataclass(frozen=True)
class GitOpsOptions:
    helm: bool = False
    """Render Helm charts with ``helm template`` (else: notice how to)."""
    kustomize: bool = False
    """Render kustomizations with ``kubectl kustomize`` (else: notice how to)."""


@dataclass
class GitOps:
    """What the folder walk found: files to leave out, notices, and renderings to read."""

    options: GitOpsOptions = field(default_factory=GitOpsOptions)
    notices: list[InputProblem] = field(default_factory=list)
    _renders: list[tuple[str, list[str], Path]] = field(default_factory=list)

    def filter_folder(self, folder: Path, files: Sequence[str]) -> list[str]:
        """``files`` (found under ``folder``) without chart and kustomize fragments."""
        paths = [Path(f) for f in files]
        charts = sorted({p.parent for p in paths if p.name == CHART_FILE})
        excluded: set[Path] = set()
        for chart in _outermost(charts):
            excluded.update(p for p in paths if _under(p, chart))
            self._chart(chart)
        kustomizations = {p.parent: p for p in paths if p.name in KUSTOMIZATION_FILES
                          and not any(_under(p, c) for c in charts)}
        bases = _referenced_bases(kustomizations)
        for where, file in sorted(kustomizations.items()):
            fragments = {file, *_patch_files(file)}
            if self.options.kustomize:
                excluded.update(p for p in paths if _under(p, where))
                if where not in bases:
                    self._renders.append((f"kubectl kustomize {where}",
                                          ["kubectl", "kustomize", str(where)], where))
            else:
                excluded.update(fragments)
                self.notices.append(InputProblem(
                    SourceLocation(str(file), 1),
                    f"kustomization: its file and patches are not objects and were not read; "
                    f"audit what it builds with `kubectl kustomize {where} | kaudit scan -`, "
                    f"or `kaudit scan --kustomize`", Severity.INFO))
        return [f for f, p in zip(files, paths, strict=True) if p not in excluded]

    def _chart(self, chart: Path) -> None:
        name = _chart_name(chart)
        if self.options.helm:
            self._renders.append((f"helm template {chart}",
                                  ["helm", "template", name, str(chart), "--include-crds"],
                                  chart))
            return
        self.notices.append(InputProblem(
            SourceLocation(str(chart / CHART_FILE), 1),
            f"Helm chart {name!r}: its templates are not manifests and were not read; audit "
            f"what it renders with `helm template {name} {chart} | kaudit scan -`, or "
            f"`kaudit scan --helm` (needs helm on PATH)", Severity.INFO))

    def rendered(self) -> list[tuple[str, bytes]]:
        """Run the renderers; each output becomes a named input (display name, YAML bytes).
        Failures become KA001 errors in ``notices``."""
        out: list[tuple[str, bytes]] = []
        for display, command, where in self._renders:
            data, error = _render(command)
            if error:
                self.notices.append(InputProblem(SourceLocation(str(where)),
                                                 f"`{display}` failed: {error}"))
            else:
                out.append((display, data))
        return out


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _outermost(folders: Iterable[Path]) -> list[Path]:
    """Charts nested in charts (``charts/`` subcharts) render with their parent."""
    chosen: list[Path] = []
    for folder in sorted(folders, key=lambda p: len(p.parts)):
        if not any(_under(folder, c) for c in chosen):
            chosen.append(folder)
    return sorted(chosen)


def _load(file: Path) -> dict[str, Any]:
    """A chart or kustomization file, read within the input bounds (it is in the scanned
    tree, written by whoever wrote the rest)."""
    try:
        text = read_input(str(file), None, input_limits.current()).decode(errors="replace")
        data = yaml.load(text, Loader=yaml.CSafeLoader)  # libyaml, safe constructors
    except (ReadError, yaml.YAMLError, RecursionError, ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def _chart_name(chart: Path) -> str:
    name = _load(chart / CHART_FILE).get("name")
    return name if isinstance(name, str) and name else chart.resolve().name


def _patch_files(kustomization: Path) -> set[Path]:
    """The files a kustomization names as patches (never inline patches)."""
    data = _load(kustomization)
    found: set[Path] = set()
    for key in PATCH_KEYS:
        entries = data.get(key)
        for entry in entries if isinstance(entries, list) else []:
            path = entry if isinstance(entry, str) else (
                entry.get("path") if isinstance(entry, dict) else None)
            if isinstance(path, str) and "\n" not in path:
                found.add(_normal(kustomization.parent / path))
    return found


def _referenced_bases(kustomizations: dict[Path, Path]) -> set[Path]:
    """Kustomization folders another kustomization of the tree builds on (``resources``,
    ``bases``, ``components``): rendering the overlays covers them."""
    used: set[Path] = set()
    for where, file in kustomizations.items():
        data = _load(file)
        for key in ("resources", "bases", "components"):
            entries = data.get(key)
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, str):
                    target = _normal(where / entry)
                    if target in kustomizations and target != where:
                        used.add(target)
    return used


def _normal(path: Path) -> Path:
    """``overlays/prod/../../base`` -> ``base``, keeping relative paths relative."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            else:
                parts.append(part)
        elif part != ".":
            parts.append(part)
    return Path(*parts) if parts else Path(".")


def _render(command: list[str]) -> tuple[bytes, str]:
    if shutil.which(command[0]) is None:
        return b"", f"{command[0]} is not on PATH"
    try:
        done = subprocess.run(command, capture_output=True, timeout=RENDER_TIMEOUT,
                              check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return b"", f"no answer within {RENDER_TIMEOUT:.0f}s"
    except OSError as exc:
        return b"", str(exc)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        return b"", (message[-1] if message else f"exit code {done.returncode}")[:500]
    if len(done.stdout) > RENDER_LIMIT:
        return b"", f"more than {RENDER_LIMIT // (1024 * 1024)} MiB of output"
    return done.stdout, ""
