"""The package installed from a wheel, away from the clone, as on a JupyterHub or Binder.

The wheel is built from this clone without network (the test environment's
setuptools, no build isolation) and installed into a temporary folder with
``pip install --target``; the dependencies are the test environment's own.
"""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.roundtrip

CHECK = textwrap.dedent('''
    import os, sys
    from pathlib import Path
    import annteach as at
    from annteach import paths

    site = Path(sys.argv[1]).resolve()
    assert Path(at.__file__).resolve().is_relative_to(site), at.__file__
    assert not paths.in_clone()
    cnn = at.load_pretrained_cnn()  # the shipped weights, checked against their SHA-256
    assert cnn.n_params == 58106 and cnn.info["test_accuracy"] == 0.9939
    assert at.load_comparison()["models"]["CNN"]["same_as_shipped"]  # lecture 7's record
    assert at.load_comparison(shifts=False)["recipe"]["max_shift"] == 0  # and without shifts
    images, labels = at.load_mnist("test")  # found through $ANNTEACH_DATA
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert (cnn.predict(at.scale(images[:100])) == labels[:100]).mean() > 0.95
    del os.environ["ANNTEACH_DATA"]
    try:
        at.load_mnist("test")
    except FileNotFoundError as error:
        assert "annteach fetch-mnist" in str(error), error
        assert "data folder" not in str(error), error  # no clone to look in
    else:
        raise AssertionError("MNIST found without $ANNTEACH_DATA or a cache")
    print("ok")
''')


def _files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A folder with the package installed from a wheel built from this clone."""
    tmp = tmp_path_factory.mktemp("installed")
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "annteach", source / "annteach",
                    ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "--wheel-dir", str(tmp / "wheel"), str(source)],
                   check=True, capture_output=True, text=True)
    (wheel,) = (tmp / "wheel").glob("annteach-*.whl")
    site = tmp / "site"
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(site),
                    str(wheel)], check=True, capture_output=True, text=True)
    return site


def _run(site, tmp_path, *args, **env):
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(site), "HOME": str(tmp_path),
                   "XDG_CACHE_HOME": str(tmp_path / "cache"), "OPENBLAS_NUM_THREADS": "1",
                   **env}
    return subprocess.run([sys.executable, *args], cwd=tmp_path, env=environment,
                          capture_output=True, text=True)


def test_the_wheel_carries_the_weights_not_the_tools_data(installed):
    package = installed / "annteach"
    assert (package / "weights" / "cnn.npz").is_file()
    assert (package / "weights" / "cnn.json").is_file()
    assert (package / "results" / "comparison.json").is_file()
    assert (package / "results" / "comparison_no_shift.json").is_file()
    assert (package / "tools" / "student.py").is_file()
    extension = package / "tools" / "present_lab" / "annteach-present"
    assert (extension / "package.json").is_file()
    assert (extension / "static" / "remoteEntry.js").is_file()
    assert not (installed / "data").exists() and not (installed / "notebooks").exists()


def test_installed_package_works_away_from_the_clone(installed, tmp_path):
    before = _files(installed / "annteach")
    done = _run(installed, tmp_path, "-c", CHECK, str(installed),
                ANNTEACH_DATA=str(ROOT / "data" / "mnist"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    assert _files(installed / "annteach") == before  # nothing written into the package


def test_installed_command_line(installed, tmp_path):
    done = _run(installed, tmp_path, "-m", "annteach", "--help")
    assert done.returncode == 0, done.stderr
    assert "fetch-mnist" in done.stdout and "train-cnn" in done.stdout
