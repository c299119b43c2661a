"""Status that disagrees with reality (ST rules)."""

from kaudit_rules.status.condition_contradicted import ConditionContradicted
from kaudit_rules.status.dangling_reference import DanglingReference
from kaudit_rules.status.helm_release_stuck import HelmReleaseStuck
from kaudit_rules.status.kong_db_fallback_stale import KongDbFallbackStale
from kaudit_rules.status.kopf_unhandled_change import KopfUnhandledChange
from kaudit_rules.status.object_size_limit import ObjectSizeLimit
from kaudit_rules.status.ready_over_failed_dependency import ReadyOverFailedDependency
from kaudit_rules.status.ready_while_deleting import ReadyWhileDeleting
from kaudit_rules.status.stale_observed_generation import StaleObservedGeneration

RULES = [
    ReadyWhileDeleting,
    ReadyOverFailedDependency,
    StaleObservedGeneration,
    DanglingReference,
    ObjectSizeLimit,
    KopfUnhandledChange,
    ConditionContradicted,
    KongDbFallbackStale,
    HelmReleaseStuck,
]
