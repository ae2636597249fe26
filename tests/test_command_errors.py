"""Every error of ``python -m annteach COMMAND`` is one line on stderr and exit status 2.

The commands run in this process through ``annteach.__main__.main`` (an uncaught
exception, a traceback on the command line, fails the test); one case runs the real
``python -m annteach`` to see the line and the status a shell sees.
"""

import subprocess
import sys

import pytest

from annteach.__main__ import main
from annteach.cnn_files import default_model_path
from annteach.paths import PACKAGE_DIR


def command_error(capsys, argv):
    """Run ``main(argv)``, which must fail; return its one-line message."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    assert info.value.code == 2, (info.value.code, err)
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    assert "Traceback" not in err
    assert err.startswith(f"annteach {argv[0]}"), err
    return err.strip()


def test_a_shell_sees_one_line_and_status_2():
    done = subprocess.run([sys.executable, "-m", "annteach", "train-cnn", "--batch-size", "0"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--batch-size" in done.stderr
    assert done.stdout == ""


def test_an_unknown_option_is_one_line_too(capsys):
    message = command_error(capsys, ["train-cnn", "--epochz", "3"])
    assert "unrecognized arguments: --epochz 3" in message


# -- train-cnn: every setting is checked before MNIST is read --------------------------

@pytest.mark.parametrize(("args", "words"), [
    (["--batch-size", "0"], "--batch-size"),
    (["--batch-size", "-4"], "--batch-size"),
    (["--lr", "0"], "--lr"),
    (["--lr", "-0.1"], "--lr"),
    (["--lr", "nan"], "--lr"),
    (["--lr", "inf"], "--lr"),
    (["--lr", "1e400"], "--lr"),
    (["--epochs", "-5"], "--epochs"),
    (["--epochs", "0"], "--epochs"),
    (["--epochs", "2.7"], "--epochs"),
    (["--max-shift", "-1"], "--max-shift"),
    (["--max-shift", "28"], "--max-shift"),
    (["--channels", "0", "8"], "--channels"),
    (["--channels", "4", "-8"], "--channels"),
    (["--channels", "4", "4", "4", "4"], "too small"),
    (["--hidden", "-1"], "--hidden"),
    (["--hidden", "100000000"], "parameters"),
    (["--threads", "-1"], "--threads"),
    (["--limit", "0"], "--limit"),
    (["--limit", "-5"], "--limit"),
    (["--seed", "-1"], "--seed"),
])
def test_train_cnn_rejects_bad_settings(capsys, tmp_path, args, words):
    message = command_error(capsys, ["train-cnn", "--out", str(tmp_path / "m"), *args])
    assert words in message
    assert not (tmp_path / "m").exists()


def test_train_cnn_out_naming_a_file(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    message = command_error(capsys, ["train-cnn", "--out", str(tmp_path / "file")])
    assert str(tmp_path / "file") in message and "not a folder" in message
    assert (tmp_path / "file").read_text() == "x"


@pytest.mark.parametrize("where", ["under a file", "in /proc"])
def test_train_cnn_unwritable_out_fails_before_training(capsys, tmp_path, where):
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "models" if where == "under a file" else "/proc/annteach-models"
    message = command_error(capsys, ["train-cnn", "--out", str(out)])
    assert str(out) in message and "cannot write" in message


def _shipped_bytes():
    path = default_model_path()
    return path.read_bytes(), path.with_suffix(".json").read_bytes()


@pytest.mark.parametrize("how", ["symlink", "dotdot", "package folder", "file", "linked files"])
def test_train_cnn_never_writes_over_the_shipped_model(capsys, tmp_path, how):
    weights = default_model_path().parent
    if how == "symlink":
        out = tmp_path / "link"
        out.symlink_to(weights)
    elif how == "dotdot":
        out = weights / ".." / "weights"
    elif how == "package folder":
        out = PACKAGE_DIR
    elif how == "file":
        out = default_model_path()
    else:  # a folder whose cnn.npz and cnn.json are links to the shipped files
        out = tmp_path / "links"
        out.mkdir()
        for suffix in (".npz", ".json"):
            (out / f"cnn{suffix}").symlink_to(default_model_path().with_suffix(suffix))
    before = _shipped_bytes()
    message = command_error(capsys, ["train-cnn", "--out", str(out), "--epochs", "1",
                                     "--limit", "10"])
    assert "shipped" in message or "package" in message or "not a folder" in message
    assert _shipped_bytes() == before


def test_only_the_documented_recipe_may_go_to_the_shipped_folder(tmp_path):
    from annteach.tools.train_cnn import DEFAULTS, check_out

    weights = default_model_path().parent
    check_out(weights, DEFAULTS, limit=None)  # the documented recipe: allowed
    link = tmp_path / "link"
    link.symlink_to(weights)
    check_out(link, DEFAULTS, limit=None)
    with pytest.raises(ValueError, match="epochs"):
        check_out(link, DEFAULTS | {"epochs": 1}, limit=None)
    with pytest.raises(ValueError, match="limit"):
        check_out(weights, DEFAULTS, limit=100)
    with pytest.raises(ValueError, match="package"):
        check_out(PACKAGE_DIR, DEFAULTS, limit=None)
    with pytest.raises(ValueError, match="package"):
        check_out(PACKAGE_DIR / "tools", DEFAULTS, limit=None)
    check_out(tmp_path / "new" / "models", DEFAULTS | {"epochs": 1}, limit=10)
    assert not (tmp_path / "new").exists()  # checking writes nothing


def test_train_cnn_stops_when_training_diverges(capsys, tmp_path):
    # A finite but absurd learning rate: Adam moves each weight by about lr a step, so
    # after a few steps of 1e38 the float32 weights overflow and the loss becomes NaN.
    message = command_error(capsys, ["train-cnn", "--out", str(tmp_path), "--lr", "1e38",
                                     "--epochs", "1", "--limit", "512", "--batch-size", "16",
                                     "--channels", "2", "--hidden", "0", "--no-progress"])
    assert "diverged" in message and "--lr" in message
    assert list(tmp_path.iterdir()) == []  # no weights, no JSON with NaN or Infinity

