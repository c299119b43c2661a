"""Status that disagrees with reality (ST rules)."""

from kaudit_rules.status.dangling_reference import DanglingReference

RULES = [DanglingReference]
