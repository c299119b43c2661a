"""``kaudit scan``: load a snapshot, run the rules, render the report, exit with a verdict."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from kaudit.apiversions import parse_release
from kaudit.cli import exitcodes, live_opts
from kaudit.cli.common import (
    UsageError,
    fail,
    parse_now,
    stderr,
    write_output,
)
from kaudit.cli.nothing_read import load_objects
from kaudit.cli.outputs import Output, parse_outputs, stdout_machine_readable, write_outputs
from kaudit.cli.rules_doc import complete_rule
from kaudit.cli.ruleset import check_rule_names, load_config_rules, selection
from kaudit.cli.sources import (
    LiveFlags,
    Source,
    choose_now,
    choose_source,
    live_failure,
    progress_allowed,
)
from kaudit.config import Config, ConfigError, load_baseline, load_config
from kaudit.engine import EngineSettings, projection_for, run
from kaudit.live import LiveError, LiveOptions, read_cluster
from kaudit.report import FORMATTERS, Report, RuleInfo
from kaudit.rules.options import OptionError
from kaudit.rules.registry import RuleLoadError
from kaudit.snapshot import Snapshot, SourceInfo
from kaudit.snapshot.files import NoInputError
from kaudit.snapshot.gitops import GitOpsOptions
from kaudit.textsafe import safe_text

FAIL_ON = ("error", "warning", "info", "never")


def exit_code(report: Report, fail_on: str) -> int:
    return exitcodes.for_run(report.crashed, report.worst(), fail_on)


def scan(
    paths: Annotated[list[str] | None, typer.Argument(
        help="Files, folders (recursive *.yaml, *.yml, *.json), saved snapshots (.json, "
             ".json.gz) or - for stdin.", show_default=False)] = None,
    demo: Annotated[bool, typer.Option(
        "--demo", help="Scan the demo snapshot shipped with kaudit (no cluster needed).")] = False,
    output: Annotated[list[str] | None, typer.Option(
        "--output", "-o", "--format", "-f", metavar="FORMAT[=FILE]",
        help=f"Report format: {', '.join(FORMATTERS)} (default table); FORMAT=FILE writes "
             "it to FILE. Repeatable: one scan, several reports "
             "(-o table -o sarif=results.sarif -o junit=report.xml).",
        show_default=False)] = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", help="Exit 1 when a finding is at or above this severity: "
                          "error, warning, info or never.  [default: error]",
        show_default=False)] = None,
    select: Annotated[list[str] | None, typer.Option(
        "--select", help="Only run these rules: codes, code prefixes (FN, ST00) or names; "
                         "comma-separated or repeated.", autocompletion=complete_rule)] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        "--ignore", help="Do not run these rules (same forms as --select).",
        autocompletion=complete_rule)] = None,
    rules_dir: Annotated[list[Path] | None, typer.Option(
        "--rules-dir", help="Load extra rules from this folder (*.py rule classes, *.yaml "
                            "declarative rules). Repeatable.", file_okay=False)] = None,
    now: Annotated[str | None, typer.Option(
        "--now", help="Measure ages against this RFC 3339 time instead of the snapshot's "
                      "capture time or the clock.")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="Config file (default: .kaudit.toml or [tool.kaudit] in "
                         "pyproject.toml, searched upwards; a discovered one never runs "
                         "Python rules).", dir_okay=False)] = None,
    no_config: Annotated[bool, typer.Option(
        "--no-config", help="Ignore any discovered config file (pin a CI gate against the "
                            "checkout it checks).")] = False,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help="Report only findings whose fingerprints are not in this file (a "
                           "previous JSON report, or one fingerprint a line).",
        dir_okay=False)] = None,
    debug: Annotated[bool, typer.Option(
        "--debug", help="Print tracebacks of crashed rules to stderr.")] = False,
    previous: Annotated[list[str] | None, typer.Option(
        "--previous", help="An earlier observation of the same cluster (anything scan reads: "
                           "a saved snapshot, a dump, a folder), so rules can tell a stuck "
                           "state from a passing one. Repeatable.")] = None,
    against: Annotated[list[str] | None, typer.Option(
        "--against", help="The cluster the scanned manifests are about to be applied to "
                          "(anything scan reads: a saved snapshot, a dump, a folder), so rules "
                          "can predict an apply that will fail. Repeatable.")] = None,
    against_context: Annotated[str | None, typer.Option(
        "--against-context", help="Like --against, but read this kubeconfig context live "
                                  "(GET only; --kubeconfig, -n and the connection options "
                                  "apply to it).", show_default=False)] = None,
    kube_version: Annotated[str | None, typer.Option(
        "--kube-version", help="The Kubernetes release (X.Y) the manifests are meant for: "
                               "API versions it no longer serves are errors (SC007).",
        show_default=False)] = None,
    context: live_opts.Contexts = None,
    all_contexts: live_opts.AllContexts = False,
    contexts_from: live_opts.ContextsFrom = None,
    kubeconfig: live_opts.Kubeconfig = None,
    namespace: live_opts.Namespace = None,
    all_namespaces: live_opts.AllNamespaces = False,
    qps: live_opts.Qps = live_opts.DEFAULTS.qps,
    burst: live_opts.Burst = live_opts.DEFAULTS.burst,
    timeout: live_opts.Timeout = live_opts.DEFAULTS.timeout,
    page_size: live_opts.PageSize = live_opts.DEFAULTS.page_size,
    scan_timeout: live_opts.ScanTimeout = live_opts.DEFAULTS.scan_timeout,
    pushgateway: Annotated[str | None, typer.Option(
        "--pushgateway", help="Also push the run's Prometheus metrics to this Pushgateway URL "
                              "(job kaudit, grouped by cluster).", show_default=False)] = None,
    allow_empty: Annotated[bool, typer.Option(
        "--allow-empty", help="Exit 0 when the files hold no Kubernetes object (for hooks "
                              "that pass every changed YAML file); by default that is exit 2, "
                              "so a gate never passes on nothing.")] = False,
    helm: Annotated[bool, typer.Option(
        "--helm", help="Render the Helm charts found in folders with `helm template` (helm on "
                       "PATH) and audit the result; without it a chart is a notice.")] = False,
    kustomize: Annotated[bool, typer.Option(
        "--kustomize", help="Render the kustomizations found in folders with `kubectl "
                            "kustomize` and audit the result; without it their patches are "
                            "left out with a notice.")] = False,
) -> None:
    """Audit a cluster or a snapshot: files, folders, stdin or a saved snapshot.

    With no PATH, the current kubeconfig context is read (like kubectl); --context picks
    another. Only GET requests are ever sent.

    Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage error or no input could be read; 3 a rule crashed (the other rules' findings are still reported).
    """  # noqa: E501 - one line, so that --help does not break it mid-sentence
    try:
        contexts = live_opts.chosen_contexts(context, all_contexts, contexts_from, kubeconfig)
        if len(contexts) > 1 or all_contexts or contexts_from:
            if kube_version:
                raise UsageError("--kube-version checks manifests; several contexts are read "
                                 "live: give it without them")
            raise typer.Exit(_fleet(contexts, paths, demo, previous, against, against_context,
                                    output, fail_on, select, ignore, rules_dir, now, config,
                                    baseline, pushgateway, kubeconfig, namespace,
                                    all_namespaces, qps, burst, timeout, page_size,
                                    no_config=no_config, scan_timeout=scan_timeout))
    except LiveError as exc:
        raise fail(str(exc)) from None
    except (UsageError, ConfigError, RuleLoadError, OptionError) as exc:
        raise fail(str(exc)) from None
    context = contexts[0] if contexts else None
    flags = LiveFlags(context=context, kubeconfig=kubeconfig, namespace=namespace,
                      all_namespaces=all_namespaces, qps=qps, burst=burst, timeout=timeout,
                      page_size=page_size, scan_timeout=scan_timeout)
    try:
        outputs = parse_outputs(output)
    except UsageError as exc:
        raise fail(str(exc)) from None
    progress = progress_allowed(stdout_machine_readable(outputs))
    # What was typed, for error messages (a failing --against-context read gets no hint to
    # scan files instead: files were given).
    typed = replace(flags, context=context or against_context)
    try:
        if against and against_context:
            raise UsageError("give either --against or --against-context, not both")
        if (against or against_context) and not paths and not demo:
            raise UsageError("--against/--against-context compare manifests with the cluster "
                             "they are applied to: give the manifests (PATH) to scan")
        against_live = None
        if against_context:
            if context:
                raise UsageError("--context reads a cluster to audit; next to manifests, name "
                                 "the cluster they are applied to with --against-context")
            # --kubeconfig, -n and the connection options then describe the target cluster.
            target = replace(flags, context=against_context)
            against_live = live_opts.live_options(
                kubeconfig=target.kubeconfig, context=target.context,
                namespace=target.namespace, all_namespaces=target.all_namespaces,
                qps=target.qps, burst=target.burst, timeout=target.timeout,
                page_size=target.page_size, progress=progress,
                scan_timeout=target.scan_timeout)
            flags = LiveFlags()
        source = choose_source(paths, demo, flags, progress=progress,
                               live_flag_names="--context/--kubeconfig/-n")
        source = replace(source, allow_empty=allow_empty,
                         gitops=GitOpsOptions(helm=helm, kustomize=kustomize))
        if config is not None and no_config:
            raise UsageError("give either --config or --no-config, not both")
        settings_config = load_config(config, discover=not no_config)
        code = _scan(source, outputs, fail_on, select, ignore, rules_dir, now,
                     settings_config, baseline, debug, previous or [], against=against or [],
                     against_live=against_live, kube_version=_release(kube_version),
                     pushgateway=pushgateway)
    except LiveError as exc:
        raise fail(live_failure(exc, typed, "give files, folders or - (stdin) to scan, or "
                                            "--demo")) from None
    except (UsageError, ConfigError, RuleLoadError, OptionError, NoInputError) as exc:
        raise fail(str(exc)) from None
    raise typer.Exit(code)


def _scan(source: Source, outputs: list[Output],
          fail_on: str | None, select: list[str] | None, ignore: list[str] | None,
          rules_dir: list[Path] | None, now: str | None, config: Config,
          baseline_path: Path | None, debug: bool, previous: list[str], *,
          against: list[str], against_live: LiveOptions | None,
          kube_version: tuple[int, int] | None = None,
          pushgateway: str | None = None) -> int:
    fail_on = fail_on or config.fail_on or "error"
    if fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on {fail_on!r}: choose from {', '.join(FAIL_ON)}")
    now_option = parse_now(now)
    catalogue = load_config_rules(config, rules_dir or [])
    check_rule_names(catalogue, config, select, ignore)
    chosen = selection(config, select, ignore)
    snapshot = source.read(projection_for(catalogue, *chosen, config.rule_options))
    earlier = load_objects(previous, "--previous") if previous else None
    target = _against(against, against_live)
    when, when_source = choose_now(now_option, snapshot)
    settings = replace(_settings(config, select, ignore, baseline_path, when), previous=earlier,
                       against=target, kube_version=kube_version)
    result = run(snapshot, catalogue, settings)
    if debug:
        for tb in result.tracebacks:
            # A crashed rule's message may quote cluster text: escaped like any other.
            stderr.print(safe_text(tb, multiline=True), markup=False, highlight=False)
    report = Report(
        findings=result.findings,
        now=when,
        now_source=when_source,
        sources=(*snapshot.sources, *against_sources(target)),
        objects=len(snapshot),
        kinds=len(snapshot.kinds()),
        gaps=snapshot.gaps,
        crashed=result.crashed,
        rules=tuple(RuleInfo.of(rule) for code in result.rules_run
                    if (rule := catalogue.by_code(code)) is not None),
        suppressed=result.suppressed,
        config=config.ref,
        fail_on=fail_on,
    )
    write_outputs(report, outputs, lambda text: write_output(text, None))
    if pushgateway:
        from kaudit.cli.pushgateway import push
        from kaudit.report.prometheus_format import Observed

        push(pushgateway, [Observed(report)], next(
            (s.context or s.server for s in snapshot.sources if s.type == "live"), ""))
    return exit_code(report, fail_on)


def _release(text: str | None) -> tuple[int, int] | None:
    try:
        return parse_release(text) if text else None
    except ValueError as exc:
        raise UsageError(f"--kube-version: {exc}") from None


def against_sources(against: Snapshot | None) -> tuple[SourceInfo, ...]:
    """The ``--against`` inputs as the report lists them, after the scanned ones: typed
    ``against`` so that a reader never mistakes the live cluster for what was audited."""
    if against is None:
        return ()
    return tuple(SourceInfo("against", paths=s.paths, context=s.context, server=s.server)
                 for s in against.sources)


def _against(paths: list[str], live: LiveOptions | None) -> Snapshot | None:
    """The cluster the manifests are applied to: read from files or live (GET only)."""
    if live is not None:
        try:
            return read_cluster(live).snapshot
        except LiveError as exc:
            raise type(exc)(f"--against-context {live.context}: {exc}") from None
    return load_objects(paths, "--against") if paths else None


def _settings(config: Config, select: list[str] | None, ignore: list[str] | None,
              baseline_path: Path | None, when: datetime) -> EngineSettings:
    baseline_file = baseline_path or config.baseline
    chosen = selection(config, select, ignore)
    return EngineSettings(
        now=when,
        select=chosen[0],
        ignore=chosen[1],
        options=config.rule_options,
        severities=config.severities,
        baseline=load_baseline(baseline_file) if baseline_file else None,
    )


def _fleet(contexts: list[str], paths: list[str] | None, demo: bool,
           previous: list[str] | None, against: list[str] | None,
           against_context: str | None, output: list[str] | None, fail_on: str | None,
           select: list[str] | None, ignore: list[str] | None,
           rules_dir: list[Path] | None, now: str | None, config: Path | None,
           baseline: Path | None, pushgateway: str | None, kubeconfig: str | None,
           namespace: str | None, all_namespaces: bool, qps: float, burst: int,
           timeout: float, page_size: int, *, no_config: bool = False,
           scan_timeout: float = live_opts.DEFAULTS.scan_timeout) -> int:
    """Several clusters (``kaudit.cli.fleet_cmd``): live only, each audited on its own."""
    from kaudit.cli.fleet_cmd import scan_fleet

    if paths or demo or previous or against or against_context:
        raise UsageError("several contexts are read live and audited each on its own: give "
                         "them without PATH, --demo, --previous or --against")
    live = live_opts.live_options(
        kubeconfig=kubeconfig, context=None, namespace=namespace,
        all_namespaces=all_namespaces, qps=qps, burst=burst, timeout=timeout,
        page_size=page_size, progress=False, scan_timeout=scan_timeout)
    if config is not None and no_config:
        raise UsageError("give either --config or --no-config, not both")
    return scan_fleet(contexts, live, outputs=parse_outputs(output), fail_on=fail_on,
                      select=select, ignore=ignore, rules_dir=rules_dir, now=now,
                      config_path=config, baseline_path=baseline, pushgateway=pushgateway,
                      discover_config=not no_config)
