"""``kaudit watch``: audit a cluster continuously and serve the findings (see
``kaudit.watch``). SIGTERM and SIGINT end it cleanly with exit code 0."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from kaudit.cli import exitcodes, live_opts
from kaudit.cli.common import UsageError, fail, stderr
from kaudit.cli.ruleset import load_config_rules, selection
from kaudit.config import ConfigError, load_baseline, load_config
from kaudit.engine import EngineSettings
from kaudit.live import LiveError
from kaudit.rules.options import OptionError
from kaudit.rules.registry import RuleLoadError
from kaudit.timeutil import parse_duration

DEFAULT_LISTEN = "127.0.0.1:9847"


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT``, ``:PORT`` (loopback) or ``[::1]:PORT``."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(f"--listen {value!r}: write HOST:PORT (e.g. 127.0.0.1:9847, "
                         "0.0.0.0:9847 in a pod)")
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port)


def watch(
    context: live_opts.Context = None,
    kubeconfig: live_opts.Kubeconfig = None,
    namespace: live_opts.Namespace = None,
    all_namespaces: live_opts.AllNamespaces = False,
    qps: live_opts.Qps = live_opts.DEFAULTS.qps,
    burst: live_opts.Burst = live_opts.DEFAULTS.burst,
    timeout: live_opts.Timeout = live_opts.DEFAULTS.timeout,
    page_size: live_opts.PageSize = live_opts.DEFAULTS.page_size,
    listen: Annotated[str, typer.Option(
        "--listen", help="Serve /metrics, /findings, /healthz and /readyz on HOST:PORT "
                         "(loopback by default; 0.0.0.0:9847 in a pod).")] = DEFAULT_LISTEN,
    debounce: Annotated[str, typer.Option(
        "--debounce", help="Wait this long after a change before evaluating, so a burst of "
                           "changes costs one evaluation (90s, 2s, 1m).")] = "2s",
    resync: Annotated[str, typer.Option(
        "--resync", help="Evaluate at least this often without changes: ages grow with "
                         "time alone.")] = "1m",
    watch_timeout: Annotated[str, typer.Option(
        "--watch-timeout", help="Ask the server to end each watch stream after this long "
                                "(it is resumed from where it ended).")] = "5m",
    rediscover: Annotated[str, typer.Option(
        "--rediscover", help="Discover the API again this often: new types (a CRD installed "
                             "since) are listed and watched.")] = "5m",
    compare_after: Annotated[str, typer.Option(
        "--compare-after", help="Keep an observation this old for rules that compare with an "
                                "earlier one (as scan --previous).")] = "5m",
    select: Annotated[list[str] | None, typer.Option(
        "--select", help="Only run these rules: codes, code prefixes or names.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        "--ignore", help="Do not run these rules (same forms as --select).")] = None,
    rules_dir: Annotated[list[Path] | None, typer.Option(
        "--rules-dir", help="Load extra rules from this folder. Repeatable.",
        file_okay=False)] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="Config file (default: .kaudit.toml or [tool.kaudit] in "
                         "pyproject.toml, searched upwards).", dir_okay=False)] = None,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help="Report only findings whose fingerprints are not in this file.",
        dir_okay=False)] = None,
) -> None:
    """Audit a cluster continuously: list once, then follow watch streams (GET only).

    The rules run again as objects change. Findings are served on --listen as Prometheus
    metrics (/metrics) and as the JSON report (/findings); each finding that appears or
    resolves is one JSON line on stderr. SIGTERM ends it with exit code 0; exit code 2 when
    the cluster cannot be read at all.
    """
    try:
        address = parse_listen(listen)
        try:
            seconds = {name: parse_duration(value).total_seconds() for name, value in (
                ("--debounce", debounce), ("--resync", resync),
                ("--watch-timeout", watch_timeout), ("--rediscover", rediscover))}
            compare = parse_duration(compare_after)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if min(seconds["--resync"], seconds["--watch-timeout"], seconds["--rediscover"]) < 1:
            raise UsageError("--resync, --watch-timeout and --rediscover must be at least 1s")
        options = live_opts.live_options(
            kubeconfig=kubeconfig, context=context, namespace=namespace,
            all_namespaces=all_namespaces, qps=qps, burst=burst, timeout=timeout,
            page_size=page_size, progress=False)
        loaded = load_config(config)
        # As for scan: a discovered config runs no Python, the command line's selection wins.
        catalogue = load_config_rules(loaded, rules_dir or [])
        chosen_select, chosen_ignore = selection(loaded, select, ignore)
        baseline_file = baseline or loaded.baseline
        settings = EngineSettings(
            now=datetime.now(UTC), select=chosen_select,
            ignore=chosen_ignore, options=loaded.rule_options,
            severities=loaded.severities,
            baseline=load_baseline(baseline_file) if baseline_file else None)
    except (UsageError, ConfigError, RuleLoadError, OptionError) as exc:
        raise fail(str(exc)) from None
    # Imported here: the watcher loads the client stack, which `kaudit --version` must not.
    from kaudit.watch import Watch, WatchConfig
    from kaudit.watch.observer import json_line

    runner = Watch(WatchConfig(live=options, listen=address, debounce=seconds["--debounce"],
                               resync=seconds["--resync"],
                               watch_timeout=int(seconds["--watch-timeout"]),
                               compare_after=compare, rediscover=seconds["--rediscover"],
                               config=loaded.ref),
                   catalogue, settings, json_line(sys.stderr))
    stop = threading.Event()
    restore = _on_signals(stop)
    try:
        code = runner.run(stop)
    except LiveError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:  # --listen address in use or not ours
        raise fail(f"--listen {listen}: {exc}", exitcodes.USAGE) from None
    finally:
        restore()
    stderr.print("kaudit watch: stopped", highlight=False)
    raise typer.Exit(code)


def _on_signals(stop: threading.Event) -> Callable[[], None]:
    """SIGTERM (what Kubernetes sends a pod) and SIGINT set ``stop``; the loop then closes
    the streams and the server and returns. Returns what puts the old handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # handlers belong to the main thread

    def handler(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore
