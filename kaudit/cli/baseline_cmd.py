"""``kaudit baseline create -o F``: the fingerprints of today's findings, for ``--baseline``.

A team adopting kaudit on a cluster or repository with known problems records them once and
gates only on new ones. The file is JSON that ``--baseline`` (and ``baseline`` in the config)
reads: one entry per finding with its fingerprint and, for the reviewer of the pull request
that adds it, the rule and the object. Messages are left out on purpose: they carry ages
("terminating for 3h12m") that would make every re-creation a diff.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from kaudit.cli import exitcodes, live_opts
from kaudit.cli.common import UsageError, fail, notice, parse_now, write_output
from kaudit.cli.rules_doc import complete_rule
from kaudit.cli.ruleset import check_rule_names, load_config_rules, selection
from kaudit.cli.sources import LiveFlags, choose_now, choose_source, live_failure
from kaudit.config import ConfigError, load_config
from kaudit.engine import EngineSettings, run
from kaudit.live import LiveError
from kaudit.model import Finding
from kaudit.rules.options import OptionError
from kaudit.rules.registry import RuleLoadError
from kaudit.snapshot.files import NoInputError

BASELINE_KIND = "KauditBaseline"
BASELINE_VERSION = 1

app = typer.Typer(help="Record today's findings so that scans report only new ones.",
                  no_args_is_help=True)


def baseline_document(findings: tuple[Finding, ...]) -> dict[str, Any]:
    """Sorted by fingerprint, one entry per fingerprint: the same findings give the same
    bytes, and a re-created baseline diffs only where findings came or went."""
    entries: dict[str, dict[str, Any]] = {}
    for f in findings:
        entries.setdefault(f.fingerprint, {
            "fingerprint": f.fingerprint, "code": f.code, "rule": f.rule,
            "object": f.object.to_json() if f.object is not None else None,
        })
    return {"kind": BASELINE_KIND, "version": BASELINE_VERSION,
            "findings": [entries[k] for k in sorted(entries)]}


@app.command("create")
def create(
    output: Annotated[str, typer.Option(
        "--output", "-o", help="File to write (- for stdout).", show_default=False)],
    paths: live_opts.SnapshotPaths = None,
    demo: live_opts.Demo = False,
    select: Annotated[list[str] | None, typer.Option(
        "--select", help="Only these rules (as for scan).",
        autocompletion=complete_rule)] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        "--ignore", help="Not these rules (as for scan).",
        autocompletion=complete_rule)] = None,
    rules_dir: Annotated[list[Path] | None, typer.Option(
        "--rules-dir", help="Load extra rules from this folder. Repeatable.",
        file_okay=False)] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="Config file (default: .kaudit.toml or [tool.kaudit] in "
                         "pyproject.toml, searched upwards; a discovered one never runs "
                         "Python rules).", dir_okay=False)] = None,
    no_config: Annotated[bool, typer.Option(
        "--no-config", help="Ignore any discovered config file.")] = False,
    now: Annotated[str | None, typer.Option(
        "--now", help="Measure ages against this RFC 3339 time.")] = None,
    context: live_opts.Context = None,
    kubeconfig: live_opts.Kubeconfig = None,
    namespace: live_opts.Namespace = None,
) -> None:
    """Scan as `kaudit scan` would and write every finding's fingerprint to a baseline file.

    The baseline in the config (if any) is not applied: the new file holds every current
    finding, suppression findings (KA004) included. Then `kaudit scan … --baseline F`
    reports only what is new. Exit codes: 0 written; 2 usage error or no input; 3 a rule
    crashed (nothing written).
    """
    flags = LiveFlags(context=context, kubeconfig=kubeconfig, namespace=namespace)
    try:
        source = choose_source(paths, demo, flags, progress=False,
                               live_flag_names="--context/--kubeconfig/-n")
        if config is not None and no_config:
            raise UsageError("give either --config or --no-config, not both")
        cfg = load_config(config, discover=not no_config)
        # As for scan: a discovered config runs no Python, the command line's selection wins.
        catalogue = load_config_rules(cfg, rules_dir or [])
        check_rule_names(catalogue, cfg, select, ignore)
        now_option = parse_now(now)
        snapshot = source.read()
        when, _ = choose_now(now_option, snapshot)
        chosen_select, chosen_ignore = selection(cfg, select, ignore)
        settings = EngineSettings(
            now=when, select=chosen_select, ignore=chosen_ignore,
            options=cfg.rule_options, severities=cfg.severities)
        result = run(snapshot, catalogue, replace(settings, baseline=None))
    except LiveError as exc:
        raise fail(live_failure(exc, flags, "give files, folders or - (stdin), or "
                                            "--demo")) from None
    except (UsageError, ConfigError, RuleLoadError, OptionError, NoInputError) as exc:
        raise fail(str(exc)) from None
    if result.crashed:
        raise fail(f"rule(s) {', '.join(result.crashed)} crashed; no baseline written (it "
                   "would miss their findings): run `kaudit scan --debug` to see why",
                   exitcodes.INTERNAL)
    text = orjson.dumps(baseline_document(result.findings),
                        option=orjson.OPT_INDENT_2).decode() + "\n"
    # Atomically (``kaudit.cli.writer``): an interrupted run never leaves half a file that
    # the next gate would read as a baseline of fewer findings.
    write_output(text, None if output == "-" else Path(output))
    if output != "-":
        notice(f"baseline of {len(result.findings)} finding(s) written to {output}", style="")
    raise typer.Exit(0)
