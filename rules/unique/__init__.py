"""Conflicting unique fields: one identity or one "unique" value defined twice (UQ rules).

UQ001 and UQ002 are Python rules; the rules from UQ100 up are declarative
``UniqueConstraint`` documents in this folder's YAML packs, read with the same factory that
loads users' packs from ``--rules-dir``.
"""

from pathlib import Path

from kaudit_rules.unique.declarative import load_packs
from kaudit_rules.unique.duplicate_object import DuplicateObject
from kaudit_rules.unique.overlapping_selectors import OverlappingSelectors

PACKS = sorted(Path(__file__).parent.glob("*.yaml"))

RULES = [DuplicateObject, OverlappingSelectors, *load_packs(PACKS)]
