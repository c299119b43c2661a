"""Check that every rule a user names exists, before anything runs.

``--select FN999`` used to select nothing and exit 0: a CI gate that silently runs no rule is
the worst kind of green. Every code, code prefix or name given to ``--select``/``--ignore``
(command line or config) and every ``[rules.X]`` table of the config must name a rule of the
catalogue; anything else is a usage error with the closest names as a suggestion.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from kaudit.config import Config
from kaudit.rules.registry import Catalogue, RuleLoadError


class UnknownRuleError(RuleLoadError):
    """A selection or config table names no rule: a usage error (exit 2)."""


def _suggest(word: str, candidates: Iterable[str]) -> str:
    """difflib's closest names; for a code that is merely out of range (``FN999``), the
    codes of its family, which difflib finds too far apart (``FN001`` scores 0.4)."""
    pool = sorted(set(candidates))
    close = (difflib.get_close_matches(word, pool, n=3, cutoff=0.6)
             or difflib.get_close_matches(word.upper(), pool, n=3, cutoff=0.6))
    if close:
        return f"; did you mean {' or '.join(close)}?"
    prefix = word[:2].upper()
    family = [c for c in pool if len(word) > 2 and c[:2] == prefix and c[2:].isdigit()]
    if family:
        return f"; did you mean one of {family[0]}…{family[-1]} ({prefix} selects them all)?"
    return "; see `kaudit rules list`"


def check_selection(catalogue: Catalogue, tokens: Iterable[str], where: str) -> None:
    """Every token selects at least one rule by code prefix or name (as ``engine.matches``
    reads it); ``where`` names the option or config key in the message."""
    codes = [r.code for r in catalogue.rules]
    names = [r.name for r in catalogue.rules]
    for token in tokens:
        if token in names or any(code.startswith(token.upper()) for code in codes):
            continue
        raise UnknownRuleError(
            f"{where} {token!r}: no rule has this code, code prefix or name"
            + _suggest(token, [*codes, *names, *{c[:2] for c in codes}]))


def check_rule_tables(catalogue: Catalogue, keys: Iterable[str], where: str) -> None:
    """Per-rule config tables are looked up by exact code or name: a misspelt table would
    leave its options and severity silently unapplied."""
    codes = [r.code for r in catalogue.rules]
    names = [r.name for r in catalogue.rules]
    for key in keys:
        if key in codes or key in names:
            continue
        raise UnknownRuleError(f"{where}: [rules.{key}] names no rule (a code such as FN001 "
                               "or a name such as stuck-deletion)"
                               + _suggest(key, [*codes, *names]))


def check_names(catalogue: Catalogue, config: Config, select: Iterable[str],
                ignore: Iterable[str]) -> None:
    """Everything a scan was told about rules: ``select``/``ignore`` from the command line
    (already split at commas) and the config file."""
    check_selection(catalogue, select, "--select")
    check_selection(catalogue, ignore, "--ignore")
    where = str(config.path) if config.path else "config"
    check_selection(catalogue, config.select, f"{where}: select")
    check_selection(catalogue, config.ignore, f"{where}: ignore")
    check_rule_tables(catalogue, sorted({*config.rule_options, *config.severities}), where)


__all__ = ["UnknownRuleError", "check_names", "check_rule_tables", "check_selection"]
