"""The package is ready to publish: ``python -m build`` makes an sdist and a wheel that
``twine check`` accepts, and the wheel installed into a fresh virtual environment runs
``kaudit scan --demo``.

Offline-friendly: the build runs without isolation (setuptools is in the test extra), the wheel
is installed with ``--no-deps --no-index``, and the fresh environment finds kaudit's
dependencies through a ``.pth`` file naming this interpreter's site-packages (whose own
``.pth`` files, such as an editable kaudit's, are not processed there)."""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "kaudit", "rules")

pytestmark = pytest.mark.packaging


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                            timeout=300, cwd=cwd, check=False)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build from a copy of the shipped files, so the work tree gets no build/ or egg-info."""
    source = tmp_path_factory.mktemp("source")
    for name in SHIPPED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, source / name)
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, source)
    return out


def test_sdist_and_wheel_pass_twine_check(dist: Path) -> None:
    built = sorted(p.name for p in dist.iterdir())
    assert len(built) == 2 and built[0].endswith(".whl") and built[1].endswith(".tar.gz")
    result = _run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert result.stdout.count("PASSED") == 2


def test_wheel_metadata(dist: Path) -> None:
    wheel = next(dist.glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = archive.read(meta).decode()
    assert "License-Expression: Apache-2.0" in text
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert "Classifier: Programming Language :: Python :: 3.11" in text
    assert "Project-URL: Homepage, https://" in text
    assert "Requires-Python: >=3.11" in text
    assert "kaudit/demo/demo-snapshot.yaml" in names  # package data ships


def test_every_package_is_listed() -> None:
    """``packages`` in pyproject.toml is explicit: a new subpackage left out of it would be
    missing from the wheel while every test of the work tree still passes."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    roots = {name: ROOT / folder for name, folder in config["package-dir"].items()}
    found = {
        ".".join((name, *init.parent.relative_to(folder).parts))
        for name, folder in roots.items() for init in folder.rglob("__init__.py")
    }
    assert found - listed == set()


def test_wheel_installs_into_a_fresh_venv_and_runs_the_demo(dist: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    purelib = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                   .stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
            *site.getsitepackages()}
    (purelib / "dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    wheel = next(dist.glob("*.whl"))
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
         "--quiet", wheel)
    # Run from elsewhere: ``-c`` puts the current folder first on sys.path.
    where = _run(python, "-c", "import kaudit, kaudit_rules; print(kaudit.__file__)",
                 cwd=tmp_path).stdout
    assert where.startswith(str(venv))  # the wheel, not this checkout
    assert _run(venv / "bin" / "kaudit", "--version", cwd=tmp_path).stdout.strip() == "kaudit 0.1.0"
    demo = _run(venv / "bin" / "kaudit", "scan", "--demo", "--fail-on", "never",
                "--format", "json", cwd=tmp_path)
    assert '"code": "FN001"' in demo.stdout and '"code": "UQ101"' in demo.stdout
