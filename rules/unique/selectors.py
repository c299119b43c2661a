"""Label selectors as the API server evaluates them (matchLabels + matchExpressions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Whether ``labels`` satisfy ``selector``; an empty selector matches everything.

    ``None`` (no selector at all) matches nothing, as for a PodDisruptionBudget without one.
    """
    if selector is None:
        return False
    match_labels = selector.get("matchLabels") or {}
    if not isinstance(match_labels, dict):
        return False
    for key, value in match_labels.items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        if not isinstance(expr, dict):
            return False
        key, op = expr.get("key"), expr.get("operator")
        values = expr.get("values") or []
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def index_key(selector: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """One (key, value) every match must carry, to look selectors up by label; ``None`` when
    the selector has no ``matchLabels`` (it is then checked against every candidate)."""
    if not selector:
        return None
    match_labels = selector.get("matchLabels")
    if isinstance(match_labels, dict) and match_labels:
        key = min(match_labels)
        return key, str(match_labels[key])
    for expr in selector.get("matchExpressions") or []:
        if (isinstance(expr, dict) and expr.get("operator") == "In"
                and len(expr.get("values") or []) == 1):
            return str(expr.get("key")), str(expr["values"][0])
    return None


def describe(selector: Mapping[str, Any] | None) -> str:
    if selector is None:
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        if isinstance(expr, dict):
            values = ",".join(str(v) for v in expr.get("values") or [])
            parts.append(f"{expr.get('key')} {expr.get('operator')} ({values})" if values
                         else f"{expr.get('key')} {expr.get('operator')}")
    return ", ".join(parts) or "<everything>"
