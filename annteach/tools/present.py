"""Present a notebook live with RISE: ``python -m annteach present NOTEBOOK``.

Starts JupyterLab on 127.0.0.1 (no browser, no network requests of its own) in
the clone and prints the address of the notebook's RISE slideshow; ``make present
NB=...`` calls it.
"""

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

from ..paths import REPO_ROOT

__all__ = ["configure_parser", "free_port", "jupyter_lab_command", "present", "rise_url", "run"]


def free_port():
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyter_lab_command(root, port, token, extra=()):
    """Return the command that starts JupyterLab on 127.0.0.1 without a browser.

    It asks nothing from the internet (no extension manager, news or update
    check) and runs as root too (CI does). ``extra``: more command-line options.
    """
    return [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.extension_manager=readonly", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", *extra,
    ]  # fmt: skip


def rise_url(notebook, root, port, token):
    """Return the URL of a notebook's RISE slideshow on a JupyterLab started as above."""
    relative = Path(notebook).resolve().relative_to(Path(root).resolve())
    return f"http://127.0.0.1:{port}/rise/{relative.as_posix()}?token={token}"


def present(notebook, root=REPO_ROOT):
    """Start JupyterLab for presenting ``notebook`` with RISE; print its URL; wait."""
    notebook = Path(notebook).resolve()
    if not notebook.is_file():
        raise ValueError(f"{notebook}: no such notebook")
    if not notebook.is_relative_to(Path(root).resolve()):
        raise ValueError(f"{notebook}: not inside {root}, the folder JupyterLab serves")
    port, token = free_port(), secrets.token_hex(16)
    url = rise_url(notebook, root, port, token)
    print(f"\nPresent with RISE (Ctrl-C here to stop the server):\n\n    {url}\n", flush=True)
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # a non-interactive backend would hide the inline figures
    server = subprocess.Popen(jupyter_lab_command(root, port, token), cwd=root, env=env)
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        return server.wait()


def configure_parser(parser):
    """Add the argument of ``python -m annteach present``."""
    parser.add_argument("notebook", type=Path, help="the notebook to present")


def run(args):
    """Run ``python -m annteach present NOTEBOOK``."""
    try:
        return present(args.notebook)
    except ValueError as error:
        raise SystemExit(f"annteach present: {error}") from error
