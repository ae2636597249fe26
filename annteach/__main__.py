"""Command line: python -m annteach COMMAND (or the annteach script)."""

import argparse
import sys

# Each command: name -> (help, module, function). The module is imported only
# when its command runs, so ``annteach --help`` stays fast.
COMMANDS = {
    "student": ("write the student editions of the notebooks", "annteach.student", "run"),
    "course": ("build offline slide decks, HTML pages and index; present live slides",
               "annteach.course", "main"),
    "train-cnn": ("train the CNN from scratch on MNIST and write its weights", "annteach.train_cnn",
                  "run"),
    "tidy": ("drop the widget views from executed notebooks (after make outputs)",
             "annteach.tidy", "run"),
}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="annteach", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, module, function) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        import importlib

        configure = getattr(importlib.import_module(module), "configure_parser", None)
        if configure is not None:
            configure(p)
        p.set_defaults(_target=(module, function))
    args = parser.parse_args(argv)
    import importlib

    module, function = args._target
    return getattr(importlib.import_module(module), function)(args) or 0


if __name__ == "__main__":
    sys.exit(main())
