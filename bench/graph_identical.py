"""The same graph before and after a change: ``python -m bench.graph_identical``.

``bench.identical`` compares reports; a change to how the graph is built must also leave
``kaudit graph`` and every query rules make unchanged, including the order ``outgoing`` and
``incoming`` list links in (rules and ``kaudit explain`` report in that order). This guard
builds the graph of every corpus stack and bench input with the working tree's kaudit and with
a base revision's (default: where this branch left main), and writes for each input:

- ``kaudit graph --format json``, ``dot`` and ``mermaid`` output (byte for byte);
- for every node, in key order: its object or missing ref, then each outgoing and incoming
  link in the order the graph lists it (key, ref, relation, pointer, attributes).

It fails naming every input whose dump differs.

    python -m bench.graph_identical --sizes 10000 100000
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import tempfile
from pathlib import Path

from bench.identical import ROOT, bench_inputs, corpus_stacks, export_revision, run_reports

# Runs inside the interpreter of one tree (``run_reports``; the third argument, the time, is
# unused). One dump per input; a digest of the link listing (rather than the listing itself)
# keeps 100k-object dumps small.
_DRIVER = r"""
import hashlib, sys
from pathlib import Path
from kaudit.graph import build_graph
from kaudit.graph.render import RENDERERS
from kaudit.snapshot.files import load_snapshot

def links(graph, key):
    out = []
    for way in (graph.outgoing, graph.incoming):
        for link in way(key):
            out.append(repr((way.__name__, link.key, link.ref, link.obj is not None,
                             link.relation, link.pointer, sorted(link.attrs.items()))))
    return out

out_dir = Path(sys.argv[1])
for line in Path(sys.argv[2]).read_text().splitlines():
    name, path = line.split("\t")
    target = out_dir / (name.replace("/", "__") + ".txt")
    try:
        graph = build_graph(load_snapshot([path]))
        parts = [RENDERERS[f](graph, None) for f in ("json", "dot", "mermaid")]
        listing = hashlib.sha256()
        keys = sorted(graph.nx.nodes)
        for key in keys:
            listing.update(repr((key, graph.ref_of(key), graph.node(key) is not None,
                                 sorted(graph.relations_into(key)))).encode())
            for text in links(graph, key):
                listing.update(text.encode())
        parts.append(f"nodes {len(keys)} links {listing.hexdigest()}\n")
        text = "".join(parts)
    except Exception as exc:
        import traceback
        traceback.print_exc()
        text = f"exception {exc!r}\n"
    target.write_text(text)
    print(name, file=sys.stderr, flush=True)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.graph_identical",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=None,
                        help="git revision to compare against (default: git merge-base HEAD "
                             "main)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args(argv)
    inputs = (corpus_stacks(args.corpus) if args.corpus.is_dir() else []) + bench_inputs(
        args.sizes)
    base = args.base or subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=ROOT,
                                       check=True, capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="kaudit-graph-identical-") as tmp:
        work = Path(tmp)
        run_reports(inputs, work / "base", export_revision(base, work), _DRIVER)
        run_reports(inputs, work / "head", None, _DRIVER)
        differ = []
        for name, _ in inputs:
            file = name.replace("/", "__") + ".txt"
            a, b = work / "base" / file, work / "head" / file
            same = a.exists() and b.exists() and a.read_bytes() == b.read_bytes()
            digest = hashlib.sha256(b.read_bytes()).hexdigest()[:16] if b.exists() else "-"
            print(f"{'same' if same else 'DIFFERS':8} {digest}  {name}")
            if not same:
                differ.append(name)
        print(f"{len(inputs) - len(differ)} of {len(inputs)} graphs identical to {base}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
