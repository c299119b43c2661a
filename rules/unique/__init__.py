"""Conflicting unique fields: one identity or one "unique" value defined twice (UQ rules).

UQ001, UQ002 and UQ115 (which needs an option and per-Service checks on top of the
declarative engine) are Python rules; the rules from UQ100 up are declarative
``UniqueConstraint`` documents in this folder's YAML packs, read with the same factory that
loads users' packs from ``--rules-dir``.
"""

from pathlib import Path

from kaudit_rules.unique.declarative import load_packs
from kaudit_rules.unique.duplicate_object import DuplicateObject
from kaudit_rules.unique.overlapping_selectors import OverlappingSelectors
from kaudit_rules.unique.service_node_port import ServiceNodePort

PACKS = sorted(Path(__file__).parent.glob("*.yaml"))

RULES = [DuplicateObject, OverlappingSelectors, ServiceNodePort, *load_packs(PACKS)]
