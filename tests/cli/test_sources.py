"""Where the snapshot comes from: one decision shared by scan, explain and graph."""

from __future__ import annotations

import pytest

from kaudit.cli.common import UsageError
from kaudit.cli.sources import LiveFlags, choose_source, progress_allowed
from kaudit.live import LiveOptions
from tests.conftest import FIXTURES

CROSSPLANE = str(FIXTURES / "scenarios/crossplane-foreground-delete/snapshot.yaml")


def test_paths_or_demo_are_read_as_given() -> None:
    files = choose_source([CROSSPLANE], False, LiveFlags(), progress=False)
    assert (files.paths, files.demo, files.live) == ((CROSSPLANE,), False, None)
    assert len(files.read()) == 9
    demo = choose_source(None, True, LiveFlags(qps=5.0), progress=False)
    assert (demo.paths, demo.demo, demo.live) == ((), True, None)
    assert any(o.kind == "Namespace" and o.name == "legacy" for o in demo.read().objects)


def test_no_path_means_the_live_cluster_with_every_option() -> None:
    flags = LiveFlags(context="prod", kubeconfig="/k", namespace="shop", qps=7.0, burst=9,
                      timeout=3.0, page_size=11)
    source = choose_source([], False, flags, progress=None)
    assert source.live == LiveOptions(kubeconfig="/k", context="prod", namespace="shop",
                                      qps=7.0, burst=9, timeout=3.0, page_size=11,
                                      progress=None)


@pytest.mark.parametrize("flags", [LiveFlags(context="prod"), LiveFlags(kubeconfig="/k"),
                                   LiveFlags(namespace="shop")])
def test_live_only_options_next_to_a_path_are_refused(flags: LiveFlags) -> None:
    with pytest.raises(UsageError, match=r"^--context/--kubeconfig/-n read a live cluster"):
        choose_source(["dump.yaml"], False, flags, progress=False,
                      live_flag_names="--context/--kubeconfig/-n")
    with pytest.raises(UsageError, match="without PATH or --demo"):
        choose_source(None, True, flags, progress=False)


def test_bad_live_tuning_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--qps and --timeout"):
        choose_source(None, False, LiveFlags(qps=0), progress=False)
    with pytest.raises(UsageError, match="either -n/--namespace or --all-namespaces"):
        choose_source(None, False, LiveFlags(namespace="a", all_namespaces=True),
                      progress=False)


def test_progress_only_for_a_person_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert progress_allowed(machine_readable_stdout=False) is None
    assert progress_allowed(machine_readable_stdout=True) is False
    monkeypatch.setenv("CI", "true")
    assert progress_allowed(machine_readable_stdout=False) is False
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert progress_allowed(machine_readable_stdout=False) is False
