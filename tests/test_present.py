"""``annteach present`` and its JupyterLab server (annteach.tools.present, .lab_server).

The launcher tests start the real command, ``python -m annteach present NOTEBOOK
--no-browser``, with Jupyter's state in a temporary folder, and look at its processes
through /proc: the token is on no command line, JupyterLab takes it, and a stop signal
to the launcher stops JupyterLab and its kernel. The browser side (the slideshow, the
explorers) is test_present_live.py.
"""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from annteach.tools import lab_server, present

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_introduction_xor.ipynb"
STARTUP_SECONDS = 180

linux_only = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")


# -- addresses, command, settings ------------------------------------------------------

def test_lab_url_opens_the_notebook_in_jupyterlab(tmp_path):
    notebook = tmp_path / "notebooks" / "01_x.ipynb"
    url = present.lab_url(notebook, tmp_path, 8899, "abc")
    assert url == "http://127.0.0.1:8899/lab/tree/notebooks/01_x.ipynb?token=abc"


def test_lab_url_needs_the_notebook_inside_root(tmp_path):
    with pytest.raises(ValueError):
        present.lab_url(tmp_path.parent / "elsewhere.ipynb", tmp_path, 8899, "abc")


def test_rise_url(tmp_path):
    notebook = tmp_path / "notebooks" / "01_x.ipynb"
    url = present.rise_url(notebook, tmp_path, 8899, "abc")
    assert url == "http://127.0.0.1:8899/rise/notebooks/01_x.ipynb?token=abc"


def test_jupyter_lab_command_binds_to_localhost_without_browser_or_token(tmp_path):
    command = lab_server.jupyter_lab_command(tmp_path, 8899, extra=["--x=1"])
    assert "--no-browser" in command
    assert "--ip=127.0.0.1" in command and "--port=8899" in command
    assert command[-1] == "--x=1"
    assert not any("token" in part.lower() for part in command)
    opening = lab_server.jupyter_lab_command(tmp_path, 8899, ["--x=1"], NOTEBOOK)
    assert "--no-browser" not in opening and opening[-2:] == ["--x=1", str(NOTEBOOK)]


def test_the_token_travels_in_the_environment():
    env = lab_server.server_env("abc", {"MPLBACKEND": "Agg", "JUPYTER_TOKEN_FILE": "/x",
                                        "HOME": "/home/x"})
    assert env == {"JUPYTER_TOKEN": "abc", "HOME": "/home/x"}


def test_present_options_carry_settings_workspace_and_extension(tmp_path):
    options = present.present_options(tmp_path / "s", tmp_path / "w")
    assert options == [f"--LabApp.user_settings_dir={tmp_path / 's'}",
                       f"--LabApp.workspaces_dir={tmp_path / 'w'}",
                       f"--LabApp.extra_labextensions_path={present.EXTENSIONS_DIR}"]


def test_the_extension_is_a_jupyterlab_federated_extension():
    (package,) = present.EXTENSIONS_DIR.glob("*/package.json")
    build = json.loads(package.read_text())["jupyterlab"]["_build"]
    assert (package.parent / build["load"]).is_file()
    assert build["extension"] == "./extension"


def test_settings_turn_autosave_and_news_off(tmp_path):
    present.write_settings(tmp_path)
    folder = tmp_path / "@jupyterlab"
    docmanager = folder / "docmanager-extension" / "plugin.jupyterlab-settings"
    assert json.loads(docmanager.read_text()) == {"autosave": False}
    notification = folder / "apputils-extension" / "notification.jupyterlab-settings"
    assert json.loads(notification.read_text()) == {"fetchNews": "false",
                                                    "checkForUpdates": False}


def test_settings_the_presenter_changed_are_kept(tmp_path):
    target = tmp_path / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    target.parent.mkdir(parents=True)
    target.write_text('{"fetchNews": "true"}')
    present.write_settings(tmp_path)
    assert target.read_text() == '{"fetchNews": "true"}'


# -- which notebooks can be presented ----------------------------------------------------

@pytest.fixture
def course(tmp_path):
    """A course folder with one notebook: (root, notebook)."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    notebook = root / "notebooks" / "01_x.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), notebook)
    return root, notebook


def test_the_readme_quotes_the_steps_the_launcher_prints():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Presenting live\n", 1)[1].split("\n## ", 1)[0]
    assert f"```\n{present.STEPS}\n```" in section


def test_the_course_folder_is_the_clone_or_else_the_notebooks_folder(monkeypatch, tmp_path):
    assert present.course_root(NOTEBOOK) == ROOT
    monkeypatch.setattr(present, "in_clone", lambda: False)  # as installed from a wheel
    assert present.course_root(tmp_path / "x.ipynb") == tmp_path.resolve()


def test_a_notebook_of_the_course_can_be_presented(course):
    root, notebook = course
    assert present.check_notebook(notebook, root) == notebook.resolve()


@pytest.mark.parametrize("case, message", [
    ("outside", "outside the course folder"),
    ("missing", "no such file"),
    ("folder", "not a file"),
    ("text", r"not a notebook \(.ipynb\)"),
    ("broken", "cannot read the notebook"),
    ("link out", "outside the course folder"),
])  # fmt: skip
def test_what_cannot_be_presented_is_named(course, tmp_path, case, message):
    root, notebook = course
    outside = tmp_path / "elsewhere.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), outside)
    path = {"outside": outside, "missing": root / "notebooks" / "02_y.ipynb",
            "folder": root / "notebooks", "text": root / "notes.txt",
            "broken": root / "notebooks" / "03_z.ipynb",
            "link out": root / "notebooks" / "04_link.ipynb"}[case]
    if case == "text":
        path.write_text("hello")
    if case == "broken":
        path.write_text('{"cells": [')
    if case == "link out":
        path.symlink_to(outside)
    with pytest.raises(ValueError, match=message) as error:
        present.check_notebook(path, root)
    assert str(path) in str(error.value)


def _annteach(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "annteach", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(), reason="needs the clone")
def test_present_outside_the_course_is_one_line_and_status_2(tmp_path):
    notebook = tmp_path / "elsewhere.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), notebook)
    done = _annteach("present", str(notebook), "--no-browser", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"annteach present: {notebook}: outside the course folder")


def test_present_of_a_missing_notebook_is_one_line_and_status_2(tmp_path):
    done = _annteach("present", str(tmp_path / "nothing.ipynb"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"annteach present: {tmp_path / 'nothing.ipynb'}: no such file\n"


# -- waiting for a server ----------------------------------------------------------------

def test_wait_until_up_reports_a_server_that_exits():
    server = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    server.wait()
    with pytest.raises(RuntimeError, match="exited with 3"):
        lab_server.wait_until_up(server, lab_server.free_port(), "abc", seconds=5)


def test_wait_until_up_gives_up_on_a_silent_port():
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with pytest.raises(RuntimeError, match="did not answer within 1 s"):
            lab_server.wait_until_up(server, lab_server.free_port(), "abc", seconds=1)
    finally:
        server.kill()
        server.wait()


# -- the launcher, a real process --------------------------------------------------------

def _children(pid):
    """Process ids of the children of ``pid`` (Linux /proc)."""
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in children.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return found


def _command_line(pid):
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"  # a zombie has stopped


def _until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what} after {seconds} s")


def _status(port, token=None):
    """HTTP status of the server's /api/status, with the token or without."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/status",
                                     headers={"Authorization": f"token {token}"} if token else {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _start_kernel(port, token):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/kernels", data=b'{"name": "python3"}', method="POST",
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=120) as response:
        return json.load(response)["id"]


@pytest.fixture
def launch(tmp_path):
    """Start ``annteach present NOTEBOOK *args``: returns (process, port, token).

    Jupyter's state goes into ``tmp_path``; ``env`` adds environment variables. Every
    process it started and that still runs at the end is killed by its id.
    """
    started = []  # the launchers, and the servers they started (still running if orphaned)

    def start(*args, **env):
        environment = {**os.environ, **env}
        for name, folder in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                             ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"),
                             ("MPLCONFIGDIR", "matplotlib")]:
            environment[name] = str(tmp_path / folder)
        log = tmp_path / "jupyterlab.log"
        with log.open("w") as errors:
            process = subprocess.Popen(
                [sys.executable, "-m", "annteach", "present", str(NOTEBOOK), *args],
                cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=errors,
                stdin=subprocess.DEVNULL, text=True)
        started.append(process)
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],
                         daemon=True).start()
        seen = []
        deadline = time.monotonic() + STARTUP_SECONDS
        while not any("?token=" in line for line in seen):
            try:
                seen.append(lines.get(timeout=max(deadline - time.monotonic(), 0.1)))
            except queue.Empty:
                pytest.fail(f"no address printed:\n{''.join(seen)}\n{log.read_text()[-3000:]}")
        (url,) = [line.strip() for line in seen if "?token=" in line]
        port = int(url.split(":")[2].split("/")[0])
        started.extend(_children(process.pid))
        return process, port, url.rsplit("?token=", 1)[1]

    yield start
    family = [p.pid if isinstance(p, subprocess.Popen) else p for p in started]
    for pid in family:
        family += [child for child in _children(pid) if child not in family]
    for pid in reversed(family):
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    for process in started:
        if isinstance(process, subprocess.Popen):
            process.wait(timeout=30)


@pytest.mark.roundtrip
@linux_only
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL],
                         ids=lambda s: s.name)
def test_launcher_hides_its_token_and_stops_jupyterlab_with_itself(launch, stop):
    """Ctrl-C, kill, a closed terminal, and kill -9 (Linux then sends the server SIGTERM)."""
    process, port, token = launch("--no-browser")
    (server,) = _children(process.pid)
    assert _status(port) == 403 and _status(port, token) == 200  # the token works
    _start_kernel(port, token)
    (kernel,) = _until(lambda: [pid for pid in _children(server)
                                if "ipykernel" in _command_line(pid)], 60, "no kernel process")
    for pid in (process.pid, server, kernel):
        assert token not in _command_line(pid), _command_line(pid)

    os.kill(process.pid, stop)
    status = process.wait(timeout=60)
    _until(lambda: not _alive(server), 30, "JupyterLab still runs")
    _until(lambda: not _alive(kernel), 30, "its kernel still runs")
    assert status == (-signal.SIGKILL if stop == signal.SIGKILL else 0)


@pytest.mark.roundtrip
@linux_only
def test_the_browser_opens_the_notebook_without_the_token_on_its_command_line(launch, tmp_path):
    opened = tmp_path / "browser-arguments"
    browser = tmp_path / "browser"  # stands for the browser: notes what it was given
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {opened}.part\n'
                       f"mv {opened}.part {opened}\n")
    browser.chmod(0o700)
    process, port, token = launch(BROWSER=str(browser))
    (argument,) = _until(lambda: opened.is_file() and opened.read_text().split(), 60,
                         "no browser started")
    assert token not in argument
    assert argument.startswith("file://")
    page = Path(urllib.request.url2pathname(argument.removeprefix("file://")))
    # readable by its owner only: JupyterLab writes it into its runtime folder, made 0700
    assert page.stat().st_mode & 0o077 == 0 or page.parent.stat().st_mode & 0o077 == 0
    address = f"http://127.0.0.1:{port}/lab/tree/notebooks/{NOTEBOOK.name}?token={token}"
    assert f'url={address}"' in page.read_text()
    os.kill(process.pid, signal.SIGTERM)
    assert process.wait(timeout=60) == 0
