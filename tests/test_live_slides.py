"""The presenting server's address, command and settings (the browser test drives it)."""

import json
import subprocess
import sys

import pytest

from annteach import live_slides
from annteach.course import free_port


def test_lab_url_opens_the_notebook_in_jupyterlab(tmp_path):
    notebook = tmp_path / "notebooks" / "01_x.ipynb"
    url = live_slides.lab_url(notebook, tmp_path, 8899, "abc")
    assert url == "http://127.0.0.1:8899/lab/tree/notebooks/01_x.ipynb?token=abc"


def test_lab_url_needs_the_notebook_inside_root(tmp_path):
    with pytest.raises(ValueError):
        live_slides.lab_url(tmp_path.parent / "elsewhere.ipynb", tmp_path, 8899, "abc")


def test_command_uses_its_own_settings_folder(tmp_path):
    command = live_slides.jupyter_command(tmp_path, 8899, "abc", tmp_path / "settings",
                                          extra=["--x=1"])
    assert f"--LabApp.user_settings_dir={tmp_path / 'settings'}" in command
    assert "--ip=127.0.0.1" in command and "--no-browser" in command
    assert command[-1] == "--x=1"
    written = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    assert json.loads((written / "notification.jupyterlab-settings").read_text()) == {
        "fetchNews": "false", "checkForUpdates": False}


def test_settings_the_presenter_changed_are_kept(tmp_path):
    target = tmp_path / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    target.parent.mkdir(parents=True)
    target.write_text('{"fetchNews": "true"}')
    live_slides.write_settings(tmp_path)
    assert target.read_text() == '{"fetchNews": "true"}'


def test_wait_until_up_reports_a_server_that_exits():
    server = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    server.wait()
    with pytest.raises(RuntimeError, match="exited with 3"):
        live_slides.wait_until_up(server, free_port(), "abc", seconds=5)


def test_wait_until_up_gives_up_on_a_silent_port():
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with pytest.raises(RuntimeError, match="did not answer within 1 s"):
            live_slides.wait_until_up(server, free_port(), "abc", seconds=1)
    finally:
        server.kill()
        server.wait()
