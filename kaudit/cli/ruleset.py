"""Which rules a command runs, from the config and the command line, trusted as each deserves.

Shared by every command that runs rules (``scan``, ``baseline create``), so that none of them
can run Python from a config that came with the checkout being checked:

- ``--rules-dir`` folders and the ``rules-dir`` of an explicit ``--config F`` may hold Python
  rules; a config found by searching upwards loads YAML rules only, and the Python files its
  folders hold are named in a notice (skipped, never silently);
- ``--select``/``--ignore`` on the command line replace the config's selection, both lists:
  a CI job that pins ``--select FN,ST`` is not undone by an ``ignore`` in the checkout.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kaudit.cli.common import notice, split_codes
from kaudit.config import Config
from kaudit.rules.registry import Catalogue, load_catalogue
from kaudit.rules.selection import check_names


def load_config_rules(config: Config, rules_dirs: list[Path]) -> Catalogue:
    """The catalogue: installed packs, ``rules_dirs``, and the config's folders as trusted
    as the config is."""
    trusted = [*(config.rules_dirs if config.code_allowed else ()), *rules_dirs]
    declarative = () if config.code_allowed else config.rules_dirs
    catalogue = load_catalogue(trusted, declarative_dirs=declarative)
    if catalogue.skipped and config.ref is not None:
        notice(f"kaudit: notice: {config.ref.path} was found by searching upwards, so the "
               f"Python rules it names were not run ({', '.join(catalogue.skipped)}); run "
               f"them with --rules-dir or --config {config.ref.path}")
    return catalogue


def selection(config: Config, select: list[str] | None,
              ignore: list[str] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(select, ignore)`` in effect: the command line's when it gave either, else the
    config's."""
    cli_select, cli_ignore = split_codes(select), split_codes(ignore)
    if cli_select or cli_ignore:
        return cli_select, cli_ignore
    return config.select, config.ignore


def check_rule_names(catalogue: Catalogue, config: Config, select: list[str] | None,
                     ignore: list[str] | None) -> None:
    """Every rule name in effect must exist (``check_names``): not a config selection the
    command line replaced, and nothing of a discovered config whose Python rules were skipped
    (it may name those: the notice says why they are missing, and the rest still runs)."""
    cli_select, cli_ignore = split_codes(select), split_codes(ignore)
    if cli_select or cli_ignore:
        config = replace(config, select=(), ignore=())
    if catalogue.skipped:
        config = replace(config, select=(), ignore=(), rule_options={}, severities={})
    check_names(catalogue, config, cli_select, cli_ignore)
