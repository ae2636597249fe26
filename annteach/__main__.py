"""Command line of the course's tools: ``python -m annteach COMMAND`` (or ``annteach COMMAND``).

The list of commands below is all this module knows: a command's module (in
:mod:`annteach.tools`) is imported, and its options are parsed, only when that
command is named, so ``annteach student --help`` loads neither the CNN nor MNIST.

Every error a command reports (a bad option, a bad file, a missing extra) is one
line on stderr, ``annteach COMMAND: ...``, and exit status 2: a command reports
one by raising ``SystemExit("annteach COMMAND: message")``, and the option
parsers print their usage errors the same way.
"""

import argparse
import importlib
import importlib.util
import sys
from typing import NamedTuple


class CommandError(SystemExit):
    """A command failed on bad input; its one-line message has gone to stderr.

    Exit status 2. ``str()`` gives the message (the status is in ``code``).
    """

    def __init__(self, message):
        super().__init__(2)
        self.message = message

    def __str__(self):
        return self.message


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (no usage block)."""

    def error(self, message):
        raise SystemExit(f"{self.prog}: error: {message} (see {self.prog} --help)")


class Command(NamedTuple):
    help: str
    module: str
    requires: tuple = ()  # modules of an optional extra that the command needs
    extra: str = "course"


COMMANDS = {
    "build": Command("write the offline slide decks, HTML pages, PDF handouts, slide "
                     "screenshots and index.html into build/",
                     "annteach.tools.decks", ("nbformat", "nbconvert")),
    "handouts": Command("print the PDF handouts and slide screenshots of the built decks again",
                        "annteach.tools.handouts", ("playwright",)),
    "present": Command("start JupyterLab and present a notebook as live slides",
                       "annteach.tools.present", ("jupyterlab",)),
    "student": Command("write the student editions of the notebooks",
                       "annteach.tools.student", ("nbformat", "nbconvert")),
    "tidy": Command("drop the widget views from executed notebooks (after make outputs)",
                    "annteach.tools.tidy", ("nbformat",)),
    "train-cnn": Command("train the CNN from scratch on MNIST and write its weights",
                         "annteach.tools.train_cnn"),
    "compare": Command("train the linear model, the MLP and the CNN the same way and record "
                       "their accuracy and cost", "annteach.tools.compare"),
    "fetch-mnist": Command("download the MNIST files into your cache folder (or --dest)",
                           "annteach.tools.fetch_mnist"),
}


def _top_parser():
    epilog = "commands:\n" + "\n".join(f"  {name:<12} {command.help}"
                                       for name, command in COMMANDS.items())
    parser = _Parser(
        prog="annteach", description="The course's tools.", epilog=epilog + "\n\n"
        "Run `annteach COMMAND --help` for the options of one command.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=COMMANDS, metavar="COMMAND", help="see below")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the command's arguments")
    return parser


def _missing(modules):
    """The modules among ``modules`` that cannot be imported."""
    missing = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # ValueError: blocked by sys.modules[name] = None
            found = False
        if not found:
            missing.append(name)
    return missing


def _needs_extra(name, command, modules):
    return SystemExit(f"annteach {name} needs {', '.join(modules)}, which is not installed: "
                      f"pip install 'annteach[{command.extra}]'")


def main(argv=None):
    """Run one command; returns its exit status.

    Raises
    ------
    CommandError
        (a SystemExit with status 2) after printing the error's one line to stderr.
    """
    try:
        return _run(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as exit:
        if not isinstance(exit.code, str):
            raise  # --help (0) or a status already chosen
        message = " ".join(exit.code.split())
        print(message, file=sys.stderr)
        raise CommandError(message) from None


def _run(argv):
    top = _top_parser().parse_args(argv)
    name, command = top.command, COMMANDS[top.command]
    parser = _Parser(prog=f"annteach {name}", description=command.help)
    module = importlib.import_module(command.module)
    module.configure_parser(parser)
    args = parser.parse_args(top.args)
    missing = _missing(command.requires)
    if missing:
        raise _needs_extra(name, command, missing)
    try:
        return module.run(args) or 0
    except ModuleNotFoundError as error:
        root = (error.name or "").partition(".")[0]
        if root in command.requires:
            raise _needs_extra(name, command, [root]) from error
        raise


if __name__ == "__main__":
    sys.exit(main())
