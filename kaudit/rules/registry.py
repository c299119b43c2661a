"""Find rules: installed packs (entry points), then ``--rules-dir`` folders.

Built-in packs are found through the ``kaudit.rules`` entry-point group exactly like
third-party ones, so nothing about a built-in rule is special. Declarative YAML rules are turned
into rule classes by factories registered under ``kaudit.rule_kinds`` (one per document kind).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import yaml

from kaudit import yamldata
from kaudit.rules.base import Rule, is_rule_class
from kaudit.rules.meta import ENGINE_RULES

RULES_GROUP = "kaudit.rules"
RULE_KINDS_GROUP = "kaudit.rule_kinds"

RuleFactory = Callable[[dict[str, Any], str], type[Rule]]


class RuleLoadError(Exception):
    """A pack or rules folder could not be loaded: a usage error (exit 2)."""


@dataclass(frozen=True)
class Catalogue:
    rules: tuple[type[Rule], ...]
    origins: dict[str, str]
    """code -> where the rule came from (entry point name or file)."""
    skipped: tuple[str, ...] = ()
    """Python rule files in ``declarative_dirs`` that were not run (see ``load_catalogue``)."""

    def by_code(self, code: str) -> type[Rule] | None:
        for rule in self.rules:
            if rule.code == code:
                return rule
        return None

    def by_name(self, name: str) -> type[Rule] | None:
        for rule in self.rules:
            if rule.name == name:
                return rule
        return None

    def find(self, code_or_name: str) -> type[Rule] | None:
        return self.by_code(code_or_name.upper()) or self.by_name(code_or_name)


def load_catalogue(rules_dirs: Sequence[str | Path] = (), *,
                   declarative_dirs: Sequence[str | Path] = ()) -> Catalogue:
    """Engine rules, installed packs, then ``rules_dirs`` (Python and YAML rules) and
    ``declarative_dirs`` (YAML rules only: their ``*.py`` files are listed in ``skipped``, never
    imported). A config discovered by searching upwards comes from whoever wrote the checkout,
    such as the pull request a CI gate checks, so its folders are declarative only."""
    found: dict[str, type[Rule]] = {}
    origins: dict[str, str] = {}

    def add(rule: type[Rule], origin: str) -> None:
        existing = found.get(rule.code)
        if existing is not None and existing is not rule:
            raise RuleLoadError(
                f"rule code {rule.code} is defined twice: by {origins[rule.code]} and {origin}")
        for other in found.values():
            if other.name == rule.name and other is not rule:
                raise RuleLoadError(f"rule name {rule.name!r} is used by {other.code} and "
                                    f"{rule.code} ({origin})")
        found[rule.code] = rule
        origins[rule.code] = origin

    for rule in ENGINE_RULES:
        add(rule, "kaudit")
    for ep in sorted(entry_points(group=RULES_GROUP), key=lambda e: e.name):
        try:
            value = ep.load()
        except Exception as exc:
            raise RuleLoadError(
                f"rule pack {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
        for rule in _as_rules(value, f"pack {ep.name}"):
            add(rule, f"pack {ep.name}")
    skipped: list[str] = []
    folders = [(f, True) for f in rules_dirs] + [(f, False) for f in declarative_dirs]
    for folder, allow_python in folders:
        for rule, origin in _load_folder(Path(folder), allow_python, skipped):
            add(rule, origin)
    ordered = tuple(sorted(found.values(), key=lambda r: r.code))
    return Catalogue(ordered, origins, tuple(skipped))


def _as_rules(value: Any, origin: str) -> list[type[Rule]]:
    if callable(value) and not is_rule_class(value):
        value = value()
    if is_rule_class(value):
        return [value]
    if isinstance(value, Iterable):
        rules = list(value)
        bad = [r for r in rules if not is_rule_class(r)]
        if bad:
            raise RuleLoadError(f"{origin} lists something that is not a rule: {bad[0]!r}")
        return rules
    raise RuleLoadError(f"{origin} is not a rule or a list of rules: {value!r}")


def rule_factories() -> dict[str, RuleFactory]:
    return {ep.name: ep.load() for ep in entry_points(group=RULE_KINDS_GROUP)}


def rules_from_yaml(path: Path,
                    factories: dict[str, RuleFactory] | None = None) -> list[type[Rule]]:
    """Rules declared in a YAML file: each document's ``kind`` picks its factory."""
    factories = rule_factories() if factories is None else factories
    try:
        if path.stat().st_size > MAX_PACK_BYTES:
            raise RuleLoadError(f"{path}: a rule file over {MAX_PACK_BYTES // 1024} KiB")
        docs = _read_pack(path.read_text(), path)
    except yaml.YAMLError as exc:
        if "nesting depth" in str(getattr(exc, "problem", "")):  # libyaml's own depth limit
            raise RuleLoadError(f"{path}: nested too deeply for a rule file") from None
        raise RuleLoadError(f"{path}: cannot read rule file: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleLoadError(f"{path}: cannot read rule file: {exc}") from exc
    except RecursionError:
        raise RuleLoadError(f"{path}: nested too deeply for a rule file") from None
    rules: list[type[Rule]] = []
    for i, doc in enumerate(docs):
        kind = doc.get("kind") if isinstance(doc, dict) else None
        factory = factories.get(kind) if isinstance(kind, str) else None
        if factory is None:
            known = ", ".join(sorted(factories)) or "none installed"
            raise RuleLoadError(f"{path}: document {i + 1} has kind {kind!r}; "
                                f"declarative rule kinds: {known}")
        try:
            rules.append(factory(doc, f"{path}#{i + 1}"))
        except (ValueError, TypeError, KeyError) as exc:
            raise RuleLoadError(f"{path}: document {i + 1}: {exc}") from exc
    return rules


MAX_PACK_BYTES = 1024 * 1024
"""A declarative rule file is a page of YAML; a bigger one is refused, not read."""
MAX_PACK_NODES = 100_000
"""YAML nodes a rule file may expand to through aliases (a few hundred in a real pack)."""


def _read_pack(text: str, path: Path) -> list[Any]:
    """The documents of a rule file (empty ones left out), each parsed once by libyaml
    (``kaudit.yamldata``: the shipped packs are read by every scan) and checked by
    ``_check_expansion`` before it is constructed."""
    loader = yamldata.Loader(text)
    docs: list[Any] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            _check_expansion(node, path)
            data = loader.construct_document(node)
            if data is not None:
                docs.append(data)
    finally:
        loader.dispose()
    return docs


def _check_expansion(document: yaml.Node, path: Path) -> None:
    """Refuse a rule file whose aliases expand beyond ``MAX_PACK_NODES`` (a "billion laughs"
    of nested aliases is a few hundred bytes). A rule pack can come from the checkout a CI
    gate checks (a discovered config's ``rules-dir``), so it is bounded like any input.
    Sizes are counted over the composed node graph, each distinct node once."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # a recursive alias counts once instead of looping
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        total = min(total, MAX_PACK_NODES + 1)
        sizes[id(node)] = total
        return total

    if size(document) > MAX_PACK_NODES:
        raise RuleLoadError(f"{path}: YAML aliases expand to more than {MAX_PACK_NODES} "
                            "nodes; a rule file may not")


def _load_folder(folder: Path, allow_python: bool = True,
                 skipped: list[str] | None = None) -> list[tuple[type[Rule], str]]:
    if not folder.is_dir():
        raise RuleLoadError(f"--rules-dir {folder}: not a folder")
    loaded: list[tuple[type[Rule], str]] = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".py" and not path.name.startswith("_"):
            if not allow_python:
                if skipped is not None:
                    skipped.append(str(path))
                continue
            loaded.extend((rule, str(path)) for rule in _rules_from_module(path))
        elif path.suffix in (".yaml", ".yml"):
            loaded.extend((rule, str(path)) for rule in rules_from_yaml(path))
    return loaded


def _rules_from_module(path: Path) -> list[type[Rule]]:
    module_name = f"kaudit_user_rules.{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise RuleLoadError(f"{path}: cannot import")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise RuleLoadError(f"{path}: import failed: {type(exc).__name__}: {exc}") from exc
    return [
        value for value in vars(module).values()
        if is_rule_class(value) and value.__module__ == module_name
    ]
