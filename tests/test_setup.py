"""The project's setup: dependency lists agree, and `import annteach` stays light."""

import re
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement):
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower()


def test_runtime_dependencies_appear_in_environment_yml():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r): r for r in project["dependencies"]}
    env = (ROOT / "environment.yml").read_text()
    conda = {}
    for line in env.splitlines():
        m = re.match(r"\s+-\s+([A-Za-z0-9_.-]+)(\S*)\s*$", line)
        if m and m.group(1) != "pip":
            conda[m.group(1).lower()] = m.group(2)
    missing = sorted(set(runtime) - set(conda))
    assert not missing, f"runtime dependencies missing from environment.yml: {missing}"
    for name, spec in runtime.items():
        assert spec.replace(" ", "").lower().endswith(conda[name]), (
            f"{name}: pyproject says {spec!r}, environment.yml says {name}{conda[name]}")
    assert "-e .[course]" in env or "-e ." in env


def test_no_exact_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    pinned = [r for r in reqs if "==" in r]
    assert not pinned, f"exact pins break installs on newer Pythons: {pinned}"


def test_import_annteach_does_not_import_heavy_modules():
    code = ("import sys, annteach; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'tqdm', 'IPython') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]", f"import annteach pulled in {out}"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci and "make test" in readme and "make course" in readme
