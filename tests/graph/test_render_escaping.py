"""Object names are untrusted: ``graph --format dot|mermaid`` writes them in the target's
quoting, with control characters as visible escapes."""

from __future__ import annotations

import re

from kaudit.graph import build_graph
from kaudit.graph.render import render_dot, render_mermaid
from kaudit.snapshot import KubeObject, Snapshot

STATEMENT = r'\s*"[^"]*"( -> "[^"]*")? \[(\w+=("[^"]*"|\w+)(, )?)+\];'
EVIL = 'a"b\x1b[31m|x`<i>#quot;\\'


def _graph():
    owner = {"apiVersion": "v1", "kind": "ConfigMap", "name": 'own"er\n', "uid": "u1"}
    obj = {"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": EVIL, "namespace": "ns", "ownerReferences": [owner]}}
    return build_graph(Snapshot.build([KubeObject(obj)]))


def test_dot_escapes_quotes_and_control_characters() -> None:
    text = render_dot(_graph())
    assert "\x1b" not in text
    assert "\\\\x1b[31m" in text
    # Every quoted string closes where it should. Graphviz's lexer reads a backslash alone
    # unless it precedes a quote (``\\"`` is a backslash, then an escaped quote: a name
    # ending in a backslash must not end its string that way), so drop each ``\"`` and the
    # rest must be the statement's own strings.
    for line in text.splitlines()[3:-1]:
        plain = line.replace('\\"', "")
        assert plain.count('"') % 2 == 0, line
        assert re.fullmatch(STATEMENT, plain), line


def test_mermaid_labels_hold_no_syntax_of_their_own() -> None:
    text = render_mermaid(_graph())
    assert "\x1b" not in text
    node = next(line for line in text.splitlines() if "x1b" in line)
    label = node.split('["', 1)[1].removesuffix('"]')
    assert '"' not in label and "|" not in label and "`" not in label
    assert label == "ConfigMap<br/>ns/a#quot;b\\x1b[31m#124;x#96;#lt;i#gt;#35;quot;\\"
    assert any(line.endswith('ns/own#quot;er\\x0a"]') for line in text.splitlines())
