"""Every printed fix really applies: the stuck-deletion triage path, end to end.

For every rule fixture, incident and scenario, each finding's ``fix`` and each remediation
``kaudit explain`` prints for an object a finalizer rule flags is applied with ``jsonpatch`` to
that object as it was read (the loader's raw mapping, what ``kubectl get -o json`` gave).
The ``test`` guard must pass on the unchanged object, the patch must remove exactly the one
finalizer it names, and the ``kubectl patch`` line must carry that same patch for that object.
"""

from __future__ import annotations

import copy
import json
import shlex
from typing import Any

import jsonpatch
import pytest
import yaml
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.snapshot.files import load_snapshot
from tests.audit import audit
from tests.conftest import FIXTURES, ROOT

DEFAULT_NOW = "2024-06-01T12:00:00Z"


def _cases() -> list[tuple[str, list[str], str]]:
    out: list[tuple[str, list[str], str]] = []
    for folder in sorted(p for p in (FIXTURES / "rules").iterdir() if p.is_dir()):
        spec = yaml.safe_load((folder / "expected.yaml").read_text()) or {}
        paths = [str(folder / n) for n in ("flag.yaml", "healthy.yaml") if (folder / n).exists()]
        out.append((f"rules/{folder.name}", paths, str(spec.get("now", DEFAULT_NOW))))
    for base in ("incidents", "scenarios"):
        for spec_file in sorted((FIXTURES / base).glob("*/expected.yaml")):
            spec = yaml.safe_load(spec_file.read_text())
            paths = [str(spec_file.parent / p) for p in spec["scan"]]
            out.append((f"{base}/{spec_file.parent.name}", paths,
                        str(spec.get("now", DEFAULT_NOW))))
    return out


CASES = _cases()


def _key(ref: dict[str, Any]) -> tuple[str, str, str, str]:
    return (ref["apiVersion"], ref["kind"], ref.get("namespace") or "", ref["name"])


def _objects(paths: list[str]) -> dict[tuple[str, str, str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for obj in load_snapshot(paths):
        ref = obj.ref
        key = (ref.api_version, ref.kind, ref.namespace or "", ref.name)
        out.setdefault(key, []).append(copy.deepcopy(obj.raw))
    return out


def _removes_one_finalizer(before: dict[str, Any], patch: list[dict[str, Any]],
                           finalizer: str) -> None:
    assert patch[0]["op"] == "test", "every patch is guarded by a test op"
    (removed,) = [op["path"] for op in patch if op["op"] != "test"]
    assert {"op": "test", "path": removed, "value": finalizer} in patch, \
        "the remove names the index the guard tests"
    assert [op["op"] for op in patch[-1:]] == ["remove"]
    after = jsonpatch.apply_patch(before, patch)
    was = list(before["metadata"].get("finalizers") or [])
    now = list(after["metadata"].get("finalizers") or [])
    assert len(was) - len(now) == 1 and was.count(finalizer) - now.count(finalizer) == 1, \
        (finalizer, was, now)
    changed = copy.deepcopy(after)
    changed["metadata"]["finalizers"] = was
    if not now and "finalizers" not in before["metadata"]:
        changed["metadata"].pop("finalizers")
    assert changed == before, "the patch changes more than the finalizer list"


@pytest.mark.parametrize("paths,now", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_printed_fix_applies(paths: list[str], now: str,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    objects = _objects(paths)
    report = audit(paths, now=now)
    explained: set[tuple[str, str, str, str]] = set()
    for finding in report["findings"]:
        if finding["fix"]:
            (obj,) = objects[_key(finding["object"])]
            jsonpatch.apply_patch(obj, finding["fix"])  # any rule's fix applies as printed
        if finding["fix"] and finding["code"].startswith("FN"):
            (obj,) = objects[_key(finding["object"])]
            (removed,) = [op["path"] for op in finding["fix"] if op["op"] == "remove"]
            (guard,) = [op["value"] for op in finding["fix"]
                        if op["op"] == "test" and op["path"] == removed]
            _removes_one_finalizer(obj, finding["fix"], guard)
        ref = finding["object"]
        if not finding["code"].startswith("FN") or not ref or _key(ref) in explained:
            continue
        explained.add(_key(ref))
        args = ["explain", f"{ref['kind'].lower()}/{ref['name']}", *paths, "--now", now,
                "-f", "json"]
        if ref.get("namespace"):
            args += ["-n", ref["namespace"]]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        for step in json.loads(result.stdout)["remediation"]:
            (obj,) = objects[_key(step["object"])]
            _removes_one_finalizer(obj, step["patch"], step["finalizer"])
            words = shlex.split(step["kubectl"])
            assert words[:2] == ["kubectl", "patch"] and words[3] == step["object"]["name"]
            assert json.loads(words[words.index("-p") + 1]) == step["patch"]
            if step["object"].get("namespace"):
                assert words[words.index("-n") + 1] == step["object"]["namespace"]
            else:
                assert "-n" not in words


def test_the_check_is_not_vacuous() -> None:
    """A patch whose guard names another finalizer is refused, and a stale index too."""
    obj = {"metadata": {"name": "x", "finalizers": ["a/one", "b/two"]}}
    with pytest.raises(jsonpatch.JsonPatchTestFailed):
        _removes_one_finalizer(obj, [{"op": "test", "path": "/metadata/finalizers/0",
                                      "value": "b/two"},
                                     {"op": "remove", "path": "/metadata/finalizers/0"}], "b/two")
    with pytest.raises(AssertionError):
        _removes_one_finalizer(obj, [{"op": "test", "path": "/metadata/finalizers/0",
                                      "value": "a/one"},
                                     {"op": "remove", "path": "/metadata/finalizers"}], "a/one")


def test_explain_prints_remediation_for_the_incidents() -> None:
    """The incidents hold stuck deletions whose patches are printed (not an empty loop)."""
    count = 0
    for name, paths, now in CASES:
        if not name.startswith("incidents/"):
            continue
        for finding in audit(paths, now=now)["findings"]:
            count += bool(finding["fix"])
    assert count >= 8
