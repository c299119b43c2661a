"""Render an ``Explanation`` as a rich tree for a terminal (the JSON form is its ``to_json``).

Every text that comes from the inputs (names, finalizers, conditions, events) goes through
``printable``: an ESC sequence in a finalizer or an event message must not restyle or hide
the terminal the on-call engineer reads it in.
"""

from __future__ import annotations

import io
import textwrap

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from kaudit.explain import Explanation, Node
from kaudit.finalizers import State
from kaudit.report.printable import printable as _p
from kaudit.timeutil import format_duration, format_time

_LIVENESS_STYLE = {State.ALIVE: "green", State.GONE: "bold red", State.UNKNOWN: "yellow",
                   State.CONTROL_PLANE: "dim", State.GC: "dim"}


def _label(node: Node) -> Text:
    text = Text()
    if node.relation not in ("target", "root"):
        text.append(f"{node.relation}: ", style="dim")
    text.append(_p(node.ref.short), style="bold" if node.target else "")
    if node.ref.group:
        text.append(f" ({_p(node.ref.group)})", style="dim")
    if not node.present:
        text.append(f"  {_p(node.note)}", style="dim italic")
    elif node.deleting_since is not None and node.deleting_for is not None:
        text.append(f"  deleting for {format_duration(node.deleting_for)} (since "
                    f"{format_time(node.deleting_since)})", style="magenta")
    if node.target:
        text.append("  <- explained", style="bold cyan")
    if node.blocker:
        text.append("  BLOCKER", style="bold white on red")
    return text


def _add(tree: Tree, node: Node) -> None:
    branch = tree.add(_label(node))
    _details(branch, node)
    for child in node.children:
        _add(branch, child)
    if node.more:
        branch.add(Text(f"... and {node.more} more", style="dim"))


def _details(branch: Tree, node: Node) -> None:
    for fv in node.finalizers:
        line = Text("finalizer ", style="dim")
        line.append(_p(fv.finalizer), style="bold")
        line.append(f" - {_p(fv.owner.controller)}: ")
        line.append(_p(fv.liveness.summary), style=_LIVENESS_STYLE[fv.liveness.state])
        if fv.advice:
            line.append(f"; {_p(fv.advice)}", style="yellow")
        branch.add(line)
    for cond in node.conditions:
        status = cond.get("status", "")
        bad = (status == "False" and cond["type"] in ("Ready", "Synced", "Available",
                                                      "Healthy", "Established")) or \
            (status == "True" and cond["type"].startswith("Namespace"))
        line = Text(_p(f"{cond['type']}={status}"), style="red" if bad else "green")
        if cond.get("reason"):
            line.append(_p(f" {cond['reason']}"))
        if cond.get("message"):
            line.append(_p(f": {cond['message']}"), style="red" if bad else "dim")
        branch.add(line)
    for event in node.events:
        branch.add(Text(_p(f"event {event}"), style="yellow"))


def render_explanation(explanation: Explanation, *, color: bool, width: int) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width,
                      highlight=False, soft_wrap=False)
    console.print(Text.assemble(("kaudit explain ", "bold"), _p(explanation.target.short),
                                f"  (now {format_time(explanation.now)})"))
    console.print(Text(_p(explanation.verdict),
                       style="bold red" if explanation.blockers else "green"))
    tree = Tree(Text("owners and dependents", style="dim"), guide_style="dim")
    _add(tree, explanation.tree)
    console.print(tree)
    if explanation.remedies:
        console.print(Text("\nRemediation (printed, never applied; apply one patch at a time, "
                           "each fails safely if the object changed):", style="bold"))
    for r in explanation.remedies:
        console.print(Text.assemble(("\n- remove ", ""), (_p(r.finalizer), "bold"),
                                    f" from {_p(r.object.short)}"))
        # Wrapped with a hanging indent, so that continuation lines stay under their item.
        for line in (_p(f"caution: {r.caution}"), _p(f"leaves behind: {r.leaves_behind}")):
            console.print(Text(textwrap.fill(line, width=max(console.width, 40),
                                             initial_indent="  ", subsequent_indent="  "),
                               style="yellow"), soft_wrap=True)
        console.print(Text("  " + _p(r.kubectl)), soft_wrap=True)
    return buffer.getvalue()
