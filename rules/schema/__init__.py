"""Duplicate-schema GVKs: two definitions serving one group/kind (SC rules)."""

from kaudit.rules import Rule

RULES: list[type[Rule]] = []
