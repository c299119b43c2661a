"""kaudit's own YAML data (finalizer catalogue, API versions, health fields) and declarative
rule packs, read through libyaml.

Every ``kaudit scan`` reads these files before it reads its first input, so they are start-up
cost paid by every CI job: ``yaml.safe_load`` scans and parses in pure Python, and the ~60 kB
of them took ~0.25 s of CPU per process, about half of what a scan of one small file costs.
``CSafeLoader`` does the scanning and parsing in C and resolves with the very same Python
resolver and constructor, so the data is identical, ~10x cheaper. (Scanned manifests go
through ``kaudit.snapshot.yamlparse``, which adds kubectl's reading on top.)
"""

from __future__ import annotations

from typing import Any

import yaml

Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader; PyYAML's pure-Python one only where it was built without libyaml."""


def load(text: str | bytes) -> Any:
    """One YAML document, like ``yaml.safe_load``."""
    return yaml.load(text, Loader=Loader)
