"""Render an ``Explanation`` as a rich tree for a terminal (the JSON form is its ``to_json``).

Names, conditions, events and notes come from the cluster: each is added as plain ``Text``
through ``safe_text`` (escape sequences shown, never sent to the terminal; no markup parsed).
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from kaudit.explain import Explanation, Node
from kaudit.finalizers import State
from kaudit.textsafe import safe_text as _s
from kaudit.timeutil import format_duration, format_time

_LIVENESS_STYLE = {State.ALIVE: "green", State.GONE: "bold red", State.UNKNOWN: "yellow",
                   State.CONTROL_PLANE: "dim", State.GC: "dim"}


def _label(node: Node) -> Text:
    text = Text()
    if node.relation not in ("target", "root"):
        text.append(f"{node.relation}: ", style="dim")
    text.append(_s(node.ref.short), style="bold" if node.target else "")
    if node.ref.group:
        text.append(f" ({_s(node.ref.group)})", style="dim")
    if not node.present:
        text.append(f"  {_s(node.note)}", style="dim italic")
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
        line.append(_s(fv.finalizer), style="bold")
        line.append(f" - {_s(fv.owner.controller)}: ")
        line.append(_s(fv.liveness.summary), style=_LIVENESS_STYLE[fv.liveness.state])
        if fv.advice:
            line.append(f"; {_s(fv.advice)}", style="yellow")
        branch.add(line)
    for cond in node.conditions:
        status = cond.get("status", "")
        bad = (status == "False" and cond["type"] in ("Ready", "Synced", "Available",
                                                      "Healthy", "Established")) or \
            (status == "True" and cond["type"].startswith("Namespace"))
        line = Text(f"{_s(cond['type'])}={_s(status)}", style="red" if bad else "green")
        if cond.get("reason"):
            line.append(f" {_s(cond['reason'])}")
        if cond.get("message"):
            line.append(f": {_s(cond['message'])}", style="red" if bad else "dim")
        branch.add(line)
    for event in node.events:
        branch.add(Text(f"event {_s(event)}", style="yellow"))


def render_explanation(explanation: Explanation, *, color: bool, width: int) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width,
                      highlight=False, soft_wrap=False)
    console.print(Text.assemble(("kaudit explain ", "bold"), _s(explanation.target.short),
                                f"  (now {format_time(explanation.now)})"))
    console.print(Text(_s(explanation.verdict),
                       style="bold red" if explanation.blockers else "green"))
    tree = Tree(Text("owners and dependents", style="dim"), guide_style="dim")
    _add(tree, explanation.tree)
    console.print(tree)
    if explanation.remedies:
        console.print(Text("\nRemediation (printed, never applied; apply one patch at a time, "
                           "each fails safely if the object changed):", style="bold"))
    for r in explanation.remedies:
        console.print(Text.assemble(("\n- remove ", ""), (_s(r.finalizer), "bold"),
                                    f" from {_s(r.object.short)}"))
        console.print(Text(f"  caution: {_s(r.caution)}", style="yellow"))
        console.print(Text(f"  leaves behind: {_s(r.leaves_behind)}", style="yellow"))
        console.print(Text("  " + _s(r.kubectl)), soft_wrap=True)
    return buffer.getvalue()
