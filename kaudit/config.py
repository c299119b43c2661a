"""Configuration: ``--config F``, else ``.kaudit.toml`` or ``[tool.kaudit]`` in
``pyproject.toml`` in the current folder or the nearest parent that has one (as ruff does);
``--no-config`` skips the search.

Command-line options win over the file. A discovered config is trusted less than one named on
the command line: in a CI gate it comes from the checkout, i.e. from the pull request being
checked, so it may shape findings but never run code (its ``rules-dir`` folders load YAML rules
only), and every report names it with a digest so that a reviewer sees when it changed.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from kaudit.model import Severity


class ConfigError(ValueError):
    """A bad config or baseline file: a usage error (exit 2)."""


@dataclass(frozen=True)
class ConfigRef:
    """The config file that shaped a report, as every report names it."""

    path: str
    """As given on the command line, or relative to the current folder when discovered."""
    sha256: str
    """Hex digest of the file's bytes (the whole ``pyproject.toml`` for ``[tool.kaudit]``)."""
    discovered: bool
    """Found by searching upwards rather than named with ``--config``."""

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "discovered": self.discovered}

    def describe(self) -> str:
        how = "found by searching upwards" if self.discovered else "--config"
        return f"{self.path} sha256:{self.sha256} ({how})"


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    ref: ConfigRef | None = None
    """What reports say about this config; ``None`` when no file was used."""
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    baseline: Path | None = None
    rules_dirs: tuple[Path, ...] = ()
    """Folders named by ``rules-dir``: Python and YAML rules when the config was named on the
    command line, YAML rules only when it was discovered (see ``code_allowed``)."""
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    severities: Mapping[str, Severity] = field(default_factory=dict)

    @property
    def code_allowed(self) -> bool:
        """Python rules may be imported from ``rules_dirs``: only for an explicit ``--config``."""
        return self.ref is not None and not self.ref.discovered


def find_config(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / ".kaudit.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "kaudit" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def load_config(explicit: Path | None, cwd: Path | None = None, *,
                discover: bool = True) -> Config:
    """``explicit`` (``--config``), else the discovered file unless ``discover`` is off
    (``--no-config``), else no config at all."""
    here = cwd or Path.cwd()
    path = explicit or (find_config(here) if discover else None)
    if path is None:
        return Config()
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    raw = _read_bytes(path)
    data = _parse_toml(raw, path)
    section = data.get("tool", {}).get("kaudit", {}) if path.name == "pyproject.toml" else data
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.kaudit] must be a table")
    shown = str(path) if explicit else os.path.relpath(path, here)
    ref = ConfigRef(shown, hashlib.sha256(raw).hexdigest(), discovered=explicit is None)
    return _parse(section, path, ref)


MAX_CONFIG_BYTES = 4 * 1024 * 1024
"""A config (or the pyproject.toml holding one) bigger than this is refused, not read: a
discovered config comes from the checkout, and every input is bounded."""


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror or exc}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: over {MAX_CONFIG_BYTES // (1024 * 1024)} MiB; not a config")
    return data


def _parse_toml(raw: bytes, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    return _parse_toml(_read_bytes(path), path)


def _strings(value: Any, key: str, path: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {key} must be a list of strings")
    return tuple(value)


def _parse(section: Mapping[str, Any], path: Path, ref: ConfigRef) -> Config:
    known = {"select", "ignore", "fail-on", "baseline", "rules-dir", "rules"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)} "
                          f"(known: {', '.join(sorted(known))})")
    base = path.parent
    rules = section.get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigError(f"{path}: [rules] must be a table of rule code/name -> options")
    options: dict[str, dict[str, Any]] = {}
    severities: dict[str, Severity] = {}
    for rule, values in rules.items():
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: rules.{rule} must be a table")
        values = dict(values)
        if "severity" in values:
            try:
                severities[rule] = Severity.parse(str(values.pop("severity")))
            except ValueError as exc:
                raise ConfigError(f"{path}: rules.{rule}: {exc}") from None
        options[rule] = values
    fail_on = section.get("fail-on")
    if fail_on is not None and fail_on not in ("error", "warning", "info", "never"):
        raise ConfigError(f"{path}: fail-on must be error, warning, info or never")
    baseline = section.get("baseline")
    return Config(
        path=path,
        ref=ref,
        select=_strings(section.get("select", []), "select", path),
        ignore=_strings(section.get("ignore", []), "ignore", path),
        fail_on=fail_on,
        baseline=base / baseline if isinstance(baseline, str) else None,
        rules_dirs=tuple(base / d for d in _strings(section.get("rules-dir", []), "rules-dir",
                                                     path)),
        rule_options=options,
        severities=severities,
    )


def load_baseline(path: Path) -> frozenset[str]:
    """Fingerprints to ignore: a kaudit JSON report (its findings), a JSON list of
    fingerprints, or a text file with one fingerprint a line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"baseline {path}: {exc}") from exc
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError:
        lines = data.decode(errors="replace").splitlines()
        return frozenset(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))
    if isinstance(parsed, dict) and isinstance(parsed.get("findings"), list):
        return frozenset(str(f.get("fingerprint")) for f in parsed["findings"]
                         if isinstance(f, dict) and f.get("fingerprint"))
    if isinstance(parsed, list) and all(isinstance(x, str) for x in parsed):
        return frozenset(parsed)
    raise ConfigError(f"baseline {path}: expected a kaudit JSON report or a list of fingerprints")
