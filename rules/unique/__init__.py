"""Conflicting unique fields: one identity or one "unique" value defined twice (UQ rules)."""

from kaudit_rules.unique.duplicate_object import DuplicateObject

RULES = [DuplicateObject]
