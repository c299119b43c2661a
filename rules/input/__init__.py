"""Findings about the audit itself: unreadable inputs, coverage gaps, crashes, suppressions."""

from kaudit.rules.meta import InternalError, SuppressionProblem
from kaudit_rules.input.coverage_gap import CoverageGapRule
from kaudit_rules.input.input_error import InputError

RULES = [InputError, CoverageGapRule, InternalError, SuppressionProblem]
