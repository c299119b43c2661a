"""``kaudit finalizers``: the catalogue of well-known finalizers the FN rules and ``kaudit
explain`` use to name who owes a finalizer, judge whether it is alive and say what removing
it leaves behind."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from kaudit.cli.common import fail
from kaudit.finalizers import TABLE
from kaudit.finalizers.table import Known

_MATCH_ORDER = {"exact": 0, "pattern": 1, "domain": 2}


def _rows(needle: str) -> list[Known]:
    needle = needle.lower()
    rows = [k for k in TABLE if not needle or needle in " ".join(
        (k.key, k.project, k.controller, " ".join(k.found_on))).lower()]
    return sorted(rows, key=lambda k: (k.key.lower(), _MATCH_ORDER[k.match]))


def _workload(k: Known) -> str:
    parts = []
    if k.namespace:
        parts.append(f"namespace {k.namespace}")
    if k.workloads:
        parts.append(", ".join(k.workloads))
    if k.labels:
        parts.append(",".join(f"{key}={value}" for key, value in k.labels))
    return "; ".join(parts) or "-"


def _json(k: Known) -> dict[str, Any]:
    return {
        "finalizer": k.key, "match": k.match, "project": k.project,
        "controller": k.controller, "owner": k.kind.value, "on": list(k.found_on),
        "workload": {"namespace": k.namespace, "names": list(k.workloads),
                     "labels": dict(k.labels)},
        "servesObjectGroup": k.serves_object_group, "kopf": k.kopf,
        "leavesBehind": k.leaves_behind, "source": k.source,
    }


def finalizers_command(
    search: Annotated[str, typer.Argument(
        help="Show only entries whose finalizer, project, controller or kinds contain this.")]
        = "",
    output_format: Annotated[str, typer.Option(
        "--format", "-f", help="table or json.")] = "table",
) -> None:
    """The well-known finalizers: who removes each one, the upstream file that sets it, where
    its controller usually runs, and what removing it by hand leaves behind.

    An exact finalizer wins over a pattern (`external-attacher/*`), a pattern over a domain
    suffix (`cert-manager.io`). A finalizer in none of them is attributed to the CRD or
    APIService whose group its domain names. The catalogue is `kaudit/finalizers/catalogue.yaml`.
    """
    rows = _rows(search)
    if output_format == "json":
        typer.echo(orjson.dumps([_json(k) for k in rows], option=orjson.OPT_INDENT_2).decode())
        return
    if output_format != "table":
        raise fail(f"--format {output_format!r}: choose table or json")
    table = Table(header_style="bold", show_lines=False)
    for column in ("finalizer", "project", "controller", "usual workload", "leaves behind",
                   "source"):
        # The finalizer is what a reader greps for and pastes: never folded.
        table.add_column(column, overflow="fold", no_wrap=column == "finalizer")
    for k in rows:
        shown = k.key if k.match == "exact" else f"{k.key} ({k.match})"
        table.add_row(shown, k.project, k.controller, _workload(k), k.leaves_behind, k.source)
    Console(highlight=False, markup=False,
            width=None if sys.stdout.isatty() else 200).print(table)
    typer.echo(f"{len(rows)} of {len(TABLE)} finalizers")
