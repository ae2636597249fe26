"""Present a notebook as live slides inside JupyterLab, explorers included.

``make present NB=...`` starts JupyterLab on 127.0.0.1 with :func:`jupyter_command`
and prints :func:`lab_url` and :data:`STEPS`. The slides are drawn by
jupyterlab-slideshow inside JupyterLab itself, so the notebook's own kernel
and JupyterLab's own widget manager run the explorers: run all cells (the
hidden setup cell included), then present.

RISE's slideshow page (``/rise/...``) cannot do this: it bundles an older
JupyterLab core, in which the current widget manager fails to load, and it
starts a kernel of its own in which the setup cell (slide type ``skip``)
never runs.
"""

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

from .files import atomic_write

#: JupyterLab settings of the presenting server, by plugin: no question about
#: Jupyter news popping up over the slides (nothing is fetched from the network).
SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

#: What to do in the page.
STEPS = (
    "In JupyterLab: Run > Run All Cells (the setup and the explorers run in this kernel); click\n"
    "the title, then the slideshow button of the notebook's toolbar (it starts at the selected\n"
    "cell). Space goes to the next fragment, subslide or slide, Shift+Space back, Escape leaves\n"
    "the slideshow. A slider that has the focus (click it) moves with the arrow keys."
)


def lab_url(notebook, root, port, token):
    """Return the URL of ``notebook`` in JupyterLab started by :func:`jupyter_command`.

    Parameters
    ----------
    notebook, root : path-like
        The notebook, inside the server's root folder ``root``.
    port : int
    token : str

    Returns
    -------
    str
        ``http://127.0.0.1:<port>/lab/tree/<notebook relative to root>?token=<token>``.
    """
    relative = Path(notebook).resolve().relative_to(Path(root).resolve())
    return f"http://127.0.0.1:{port}/lab/tree/{relative.as_posix()}?token={token}"


def write_settings(folder):
    """Write :data:`SETTINGS` into a JupyterLab user-settings folder; keep what is there.

    A setting file that already exists (the presenter changed something) is
    left alone.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    folder = Path(folder)
    for plugin, values in SETTINGS.items():
        package, name = plugin.split(":")
        target = folder / package / f"{name}.jupyterlab-settings"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(values, indent=2) + "\n"
            atomic_write(target, lambda f, text=text: f.write(text), text=True)
    return folder


def jupyter_command(root, port, token, settings_dir, extra=()):
    """Return the command starting the presenting JupyterLab (127.0.0.1, no browser).

    It is :func:`annteach.course.jupyter_lab_command` with its own settings
    folder ``settings_dir`` (written by :func:`write_settings`), so that the
    presenter's slides settings stay apart from the students' ``make lab``.
    """
    from .course import jupyter_lab_command

    settings_dir = write_settings(settings_dir)
    return jupyter_lab_command(
        root, port, token, extra=[f"--LabApp.user_settings_dir={settings_dir}", *extra]
    )


def wait_until_up(server, port, token, seconds=180):
    """Wait until the JupyterLab ``server`` (a ``subprocess.Popen``) answers on ``port``.

    Raises
    ------
    RuntimeError
        When the server exits first, or does not answer within ``seconds``.
    """
    url = f"http://127.0.0.1:{port}/api/status?token={token}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {server.returncode}")
        try:
            with opener.open(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"JupyterLab did not answer within {seconds} s")
