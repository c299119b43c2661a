"""``kubectl kaudit …``: the ``kubectl-kaudit`` console script, found and run by the real
kubectl (skipped where kubectl is not installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kaudit import __version__

pytestmark = pytest.mark.integration


@pytest.fixture
def plugin_path() -> str:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    beside = Path(sys.executable).with_name("kubectl-kaudit")
    found = beside if beside.exists() else shutil.which("kubectl-kaudit")
    if found is None:
        pytest.skip("the kubectl-kaudit console script is not installed (pip install -e .)")
    # Only kaudit's folder and kubectl's: no other plugin on this machine interferes.
    return os.pathsep.join([str(Path(found).parent), str(Path(shutil.which("kubectl")).parent)])


def kubectl(path: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["kubectl", *args], env={**os.environ, "PATH": path}, cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


def test_kubectl_plugin_list_finds_it(plugin_path: str) -> None:
    result = kubectl(plugin_path, "plugin", "list")
    assert result.returncode == 0, result.stderr
    assert any(Path(line.strip()).name == "kubectl-kaudit" for line in result.stdout.splitlines())


def test_kubectl_kaudit_runs(plugin_path: str, tmp_path: Path) -> None:
    version = kubectl(plugin_path, "kaudit", "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"kaudit {__version__}"
    usage = kubectl(plugin_path, "kaudit", "--help")
    assert "Usage: kubectl kaudit" in usage.stdout
    demo = kubectl(plugin_path, "kaudit", "scan", "--demo", "--format", "json", cwd=tmp_path)
    assert demo.returncode == 1  # the demo has errors: the exit code comes through kubectl
    assert '"code": "FN001"' in demo.stdout
