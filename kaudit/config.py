"""Configuration: ``--config F``, else ``.kaudit.toml`` or ``[tool.kaudit]`` in
``pyproject.toml`` in the current folder or the nearest parent that has one (as ruff does).

Command-line options win over the file."""

from __future__ import annotations

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
class Config:
    path: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    baseline: Path | None = None
    rules_dirs: tuple[Path, ...] = ()
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    severities: Mapping[str, Severity] = field(default_factory=dict)


def find_config(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / ".kaudit.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "kaudit" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def load_config(explicit: Path | None, cwd: Path | None = None) -> Config:
    path = explicit or find_config(cwd or Path.cwd())
    if path is None:
        return Config()
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    data = _read_toml(path)
    section = data.get("tool", {}).get("kaudit", {}) if path.name == "pyproject.toml" else data
    return _parse(section, path)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _strings(value: Any, key: str, path: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {key} must be a list of strings")
    return tuple(value)


def _parse(section: Mapping[str, Any], path: Path) -> Config:
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
