"""Present a notebook as live slides: ``python -m annteach present NOTEBOOK`` (``make present``).

Starts JupyterLab over the course's folder (:mod:`.lab_server`: 127.0.0.1, a
free port, the token in its environment) with the notebook, and opens it in
the browser. The slides are drawn inside JupyterLab by jupyterlab-slideshow,
so the notebook's own kernel and JupyterLab's own widget manager run the
explorers. This server alone also loads the package's small JupyterLab
extension ``present_lab/annteach-present``: when the notebook has opened, it
starts running all its cells (the hidden setup cell included) and, while they
run, starts the slideshow at the first cell. Opening the address is all the
presenter does.

The server's JupyterLab settings are its own (:data:`SETTINGS`, in a folder
under the Jupyter config folder, kept between runs): no autosave, so that
running every cell never writes the executed notebook over the committed one,
and no question about Jupyter news popping up over the slides. Its workspace is
new at every start (no tabs of an earlier run come back).

RISE's slideshow page (:func:`rise_url`, JupyterLab's "Open as Reveal
Slideshow") shows the slides but cannot run the explorers: it bundles an older
JupyterLab core in which the current widget manager fails to load, and it
starts a kernel of its own in which the setup cell (slide type ``skip``)
never runs.
"""

import json
import secrets
import tempfile
from pathlib import Path

from ..files import atomic_write
from ..paths import REPO_ROOT, in_clone
from . import lab_server
from .notebooks import read_notebook

__all__ = [
    "EXTENSIONS_DIR", "SETTINGS", "STEPS", "configure_parser", "course_root", "lab_url",
    "present", "present_options", "rise_url", "run", "settings_dir", "write_settings",
]  # fmt: skip

#: The folder of the JupyterLab extension loaded by the presenting server only.
EXTENSIONS_DIR = Path(__file__).resolve().parent / "present_lab"

#: JupyterLab settings of the presenting server, by plugin.
SETTINGS = {
    # Running every cell must not save the executed notebook over the committed one.
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    # No "Would you like to get notified about official Jupyter news?" over the slides.
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}

#: What the presenter does, printed under the address.
STEPS = """\
The slideshow starts at the title while all cells run (an explorer works once its cell ran).
  Space / Shift+Space   next / previous fragment, subslide or slide
  click a slider        then the arrow keys move it
  Escape                leaves the slideshow (the toolbar's slideshow button restarts it)
Ctrl-C here stops JupyterLab."""


def course_root(notebook):
    """The folder JupyterLab serves: the clone, or outside one the notebook's folder."""
    return REPO_ROOT if in_clone() else Path(notebook).resolve().parent


def check_notebook(notebook, root):
    """Return the resolved path of a notebook JupyterLab can present from ``root``.

    Raises
    ------
    ValueError
        Naming the file: missing, not a file, not ``.ipynb``, outside ``root``
        or not a readable notebook.
    """
    path = Path(notebook).resolve()
    root = Path(root).resolve()
    if not path.exists():
        raise ValueError(f"{notebook}: no such file")
    if not path.is_file():
        raise ValueError(f"{notebook}: not a file")
    if path.suffix != ".ipynb":
        raise ValueError(f"{notebook}: not a notebook (.ipynb)")
    if not path.is_relative_to(root):
        raise ValueError(f"{notebook}: outside the course folder {root}, which JupyterLab "
                         "serves; copy it into the course first")
    read_notebook(path)  # its ValueError names the file
    return path


def lab_url(notebook, root, port, token):
    """Return the address of ``notebook`` in JupyterLab serving ``root`` on ``port``.

    Returns
    -------
    str
        ``http://127.0.0.1:<port>/lab/tree/<notebook relative to root>?token=<token>``.
    """
    relative = Path(notebook).resolve().relative_to(Path(root).resolve())
    return f"http://127.0.0.1:{port}/lab/tree/{relative.as_posix()}?token={token}"


def rise_url(notebook, root, port, token):
    """Return the address of a notebook's RISE slideshow (no live explorers there)."""
    relative = Path(notebook).resolve().relative_to(Path(root).resolve())
    return f"http://127.0.0.1:{port}/rise/{relative.as_posix()}?token={token}"


def settings_dir():
    """The presenting server's JupyterLab settings folder, apart from the students' ones."""
    from jupyter_core.paths import jupyter_config_dir

    return Path(jupyter_config_dir()) / "lab" / "present-settings"


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


def present_options(settings, workspaces):
    """Command-line options of the presenting JupyterLab (no secret among them).

    Parameters
    ----------
    settings : path-like
        Its user-settings folder (written by :func:`write_settings`).
    workspaces : path-like
        Its workspaces folder.

    Returns
    -------
    list of str
    """
    return [f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workspaces}",
            f"--LabApp.extra_labextensions_path={EXTENSIONS_DIR}"]


def present(notebook, root=None, browser=True):
    """Start JupyterLab, present ``notebook``, return when JupyterLab stops.

    Prints the notebook's address and :data:`STEPS` once JupyterLab answers.
    SIGINT (Ctrl-C), SIGTERM or SIGHUP stop JupyterLab and its kernels; on
    Linux so does SIGKILL (the server gets SIGTERM when this process dies).

    Parameters
    ----------
    notebook : path-like
    root : path-like, optional
        The folder JupyterLab serves (default :func:`course_root`).
    browser : bool, optional
        Open the notebook in the browser.

    Returns
    -------
    int
        0 when stopped by a signal, else JupyterLab's exit status.

    Raises
    ------
    ValueError
        When the notebook cannot be presented (see :func:`check_notebook`).
    """
    root = Path(course_root(notebook) if root is None else root).resolve()
    notebook = check_notebook(notebook, root)
    settings = write_settings(settings_dir())
    port, token = lab_server.free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="annteach-present-") as workspaces:
        server = lab_server.start(root, port, token, present_options(settings, workspaces),
                                  open_in_browser=notebook if browser else None,
                                  die_with_parent=True)

        def announce():
            url = lab_url(notebook, root, port, token)
            print(f"\nPresenting {notebook.relative_to(root)}. Its address:\n\n    {url}\n\n"
                  f"{STEPS}\n", flush=True)

        return lab_server.serve(server, port, token, ready=announce)


def configure_parser(parser):
    """Add the arguments of ``python -m annteach present``."""
    parser.add_argument("notebook", type=Path,
                        help="the notebook to present, inside the course's folder")
    parser.add_argument("--no-browser", action="store_true",
                        help="only print the notebook's address, open no browser")


def run(args):
    """Run ``python -m annteach present NOTEBOOK``; a notebook it cannot present is a
    one-line error (``SystemExit``, status 2 from :func:`annteach.__main__.main`)."""
    try:
        return present(args.notebook, browser=not args.no_browser)
    except ValueError as error:
        raise SystemExit(f"annteach present: {error}") from None
