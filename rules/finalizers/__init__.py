"""Stale finalizers and stuck deletions (FN rules)."""

from kaudit_rules.finalizers.foreground_blocked import ForegroundBlocked
from kaudit_rules.finalizers.namespace_stuck import NamespaceStuck
from kaudit_rules.finalizers.orphan_lingering import OrphanFinalizerLingering
from kaudit_rules.finalizers.orphaned_finalizer import OrphanedFinalizer
from kaudit_rules.finalizers.stuck_deletion import StuckDeletion

RULES = [StuckDeletion, OrphanedFinalizer, ForegroundBlocked, NamespaceStuck,
         OrphanFinalizerLingering]
