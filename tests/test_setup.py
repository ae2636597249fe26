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


def _imported(code, *args):
    """The modules ``python -X importtime -c code`` imports, by full name."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args],
                          capture_output=True, text=True, check=True)
    modules = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":  # the header line
                modules.add(name)
    return modules


def test_import_annteach_does_not_import_heavy_modules():
    imported = _imported("import annteach")
    assert "annteach.mlp" in imported and "numpy" in imported  # the listing works
    heavy = {"matplotlib", "ipywidgets", "nbconvert", "nbformat", "tqdm", "IPython",
             "annteach.tools", "annteach.plots", "annteach.widgets", "annteach.cnn",
             "annteach.mnist", "annteach.mnist_fetch"}
    assert not imported & heavy, f"import annteach pulled in {sorted(imported & heavy)}"
    assert not {m for m in imported if m.startswith("annteach.tools")}


def test_a_command_imports_only_its_own_module():
    code = ("import sys\nfrom annteach.__main__ import main\n"
            "try:\n    main(['student', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    imported = set(done.stdout.split())
    assert "annteach.tools.student" in imported and "--out" in done.stdout
    others = {"annteach.cnn", "annteach.cnn_files", "annteach.conv", "annteach.mnist",
              "annteach.mnist_fetch", "annteach.conv_block",
              "annteach.idx", "annteach.training", "annteach.tools.train_cnn",
              "annteach.tools.decks", "annteach.tools.fetch_mnist", "nbconvert", "matplotlib"}
    assert not imported & others, f"student --help pulled in {sorted(imported & others)}"


def test_the_command_list_is_static_help(capsys):
    from annteach.__main__ import COMMANDS, main

    try:
        main(["--help"])
    except SystemExit as exit:
        assert exit.code == 0
    out = capsys.readouterr().out
    for name, command in COMMANDS.items():
        assert name in out and command.help in out


def test_a_missing_extra_is_named_in_one_line(tmp_path):
    code = ("import sys\nsys.modules['nbconvert'] = None  # as if not installed\n"
            "from annteach.__main__ import main\n"
            f"sys.exit(main(['student', '--out', {str(tmp_path)!r}]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == ("annteach student needs nbconvert, which is not installed: "
                                   "pip install 'annteach[course]'")
    assert not any(tmp_path.iterdir())  # nothing written


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci and "make test" in readme and "make course" in readme
