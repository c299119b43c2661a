"""Stale finalizers and stuck deletions (FN rules)."""

from kaudit_rules.finalizers.stuck_deletion import StuckDeletion

RULES = [StuckDeletion]
