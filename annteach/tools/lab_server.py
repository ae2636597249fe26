"""A JupyterLab server run by this process: started, waited for and stopped with it.

``annteach present``, the browser tests and the redraw benchmark all start
JupyterLab through :func:`start`, so that they run it the same way:

* on 127.0.0.1 at a given port, asking nothing from the internet (no
  extension manager, news or update check), as root too (CI does);
* with its token in the environment (``JUPYTER_TOKEN``), never on its command
  line, which every user of the machine can read (``ps``); the environment of
  a process is readable by its owner only;
* in a session of its own, so that a Ctrl-C in the terminal reaches the
  launcher alone, which then stops the server (and with it its kernels) by
  SIGTERM: :func:`serve` does this on SIGINT, SIGTERM and SIGHUP. On Linux,
  ``die_with_parent=True`` also makes Linux send the server SIGTERM when
  the launcher dies in any other way (``kill -9``).
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

__all__ = [
    "STOP_SIGNALS", "free_port", "jupyter_lab_command", "serve", "server_env", "start", "stop",
    "wait_until_up",
]  # fmt: skip

#: Signals to the launcher that stop the server (:func:`serve`).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def free_port():
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyter_lab_command(root, port, extra=(), open_in_browser=None):
    """Return the command that starts JupyterLab on 127.0.0.1.

    It carries no token (:func:`server_env` passes it). ``extra``: more
    command-line options. ``open_in_browser``: a file under ``root`` that
    JupyterLab opens in the browser once it runs (through a local page that
    only the user can read, so that the token is on no command line either);
    default: no browser.
    """
    browser = ["--no-browser"] if open_in_browser is None else []
    to_open = [] if open_in_browser is None else [str(open_in_browser)]
    return [
        sys.executable, "-m", "jupyter", "lab", *browser, "--allow-root",
        "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        "--LabApp.extension_manager=readonly", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", *extra, *to_open,
    ]  # fmt: skip


def server_env(token, base=None):
    """The server's environment: ``base`` (default ``os.environ``) with its token.

    ``MPLBACKEND`` is dropped: a non-interactive backend would hide the
    kernels' inline figures.
    """
    env = dict(os.environ if base is None else base)
    env.pop("MPLBACKEND", None)
    env.pop("JUPYTER_TOKEN_FILE", None)
    env["JUPYTER_TOKEN"] = token
    return env


def _die_with_parent(parent):
    """In the child before ``exec``: SIGTERM when the parent dies (Linux ``prctl``)."""

    def arrange():
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the request
            os._exit(1)

    return arrange


def start(root, port, token, extra=(), open_in_browser=None, env=None, die_with_parent=False,
          **popen):
    """Start JupyterLab over the folder ``root``.

    Parameters
    ----------
    root : path-like
        The folder JupyterLab serves (and its kernels start in).
    port : int
    token : str
        Passed in the environment (see the module's docstring).
    extra : sequence of str, optional
        More command-line options.
    open_in_browser : path-like, optional
        A file to open in the browser (see :func:`jupyter_lab_command`).
    env : mapping, optional
        The environment to start from (default ``os.environ``).
    die_with_parent : bool, optional
        Linux: the server gets SIGTERM when this process dies. Not for
        processes with threads (the request runs between fork and exec).
    **popen
        More arguments of ``subprocess.Popen`` (``stdout``, ...).

    Returns
    -------
    subprocess.Popen
    """
    popen.setdefault("stdin", subprocess.DEVNULL)  # it never asks the terminal anything
    if die_with_parent and sys.platform.startswith("linux"):
        popen["preexec_fn"] = _die_with_parent(os.getpid())
    command = jupyter_lab_command(root, port, extra, open_in_browser)
    return subprocess.Popen(command, cwd=root,
                            env=server_env(token, env), start_new_session=True, **popen)


def wait_until_up(server, port, token, seconds=180):
    """Wait until the JupyterLab ``server`` (a ``subprocess.Popen``) answers on ``port``.

    Raises
    ------
    RuntimeError
        When the server exits first, or does not answer within ``seconds``.
    """
    url = f"http://127.0.0.1:{port}/api/status"
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {server.returncode}")
        try:
            with opener.open(request, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"JupyterLab did not answer within {seconds} s")


def stop(server, grace=30):
    """Stop the server: SIGTERM (it shuts its kernels down), SIGKILL after ``grace`` s.

    Returns
    -------
    int
        Its exit status.
    """
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            server.kill()
    return server.wait()


class _Stop(Exception):
    """Raised by the signal handler of :func:`serve`."""


def serve(server, port, token, ready=None, grace=30):
    """Wait until the server answers, call ``ready()``, wait until it exits.

    A :data:`STOP_SIGNALS` to this process meanwhile stops the server
    (:func:`stop`). Only in the main thread (signal handlers); the handlers in
    place before are restored at the end.

    Returns
    -------
    int
        0 when a signal stopped the server, else its exit status.
    """

    def handler(signum, frame):
        for number in STOP_SIGNALS:  # a second Ctrl-C does not cut the shutdown short
            signal.signal(number, signal.SIG_IGN)
        raise _Stop(signum)

    previous = {number: signal.signal(number, handler) for number in STOP_SIGNALS}
    try:
        try:
            wait_until_up(server, port, token)
        except RuntimeError as error:
            print(f"{error}", file=sys.stderr)
            return stop(server, grace) or 1
        if ready is not None:
            ready()
        return server.wait()
    except _Stop:
        stop(server, grace)
        return 0
    finally:
        for number, action in previous.items():
            signal.signal(number, action)
