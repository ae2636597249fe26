"""Tidying executed notebooks: widget views go, their plain-text stand-ins stay, and the pieces
of text a cell printed become one output."""

import errno
import os
import tempfile

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from annteach.__main__ import main
from annteach.tools.tidy import WIDGET_VIEW, merge_streams, strip_widget_views, tidy_notebook


def _notebook(with_view=True):
    data = {"text/plain": "[explorer: run in JupyterLab]"}
    if with_view:
        data[WIDGET_VIEW] = {"model_id": "0123abcd", "version_major": 2, "version_minor": 0}
    cell = new_code_cell("at.widgets.XorExplorer()",
                         outputs=[new_output("execute_result", data=data, execution_count=1)])
    plain = new_code_cell("print(1)", outputs=[new_output("stream", name="stdout", text="1\n")])
    return new_notebook(cells=[plain, cell])


def test_strip_widget_views_keeps_the_text():
    nb = _notebook()
    assert strip_widget_views(nb) == 1
    data = nb.cells[1].outputs[0]["data"]
    assert WIDGET_VIEW not in data and data["text/plain"].startswith("[explorer")
    assert nb.cells[0].outputs[0]["text"] == "1\n"
    assert strip_widget_views(nb) == 0


def test_tidy_rewrites_only_what_changed(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(), path)
    assert tidy_notebook(path) == (1, 0)
    nbformat.validate(nbformat.read(path, as_version=4))
    assert WIDGET_VIEW not in path.read_text()
    before = path.stat().st_mtime_ns
    assert tidy_notebook(path) == (0, 0)
    assert path.stat().st_mtime_ns == before
    assert [p.name for p in tmp_path.iterdir()] == ["nb.ipynb"]


def test_tidy_command(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(), path)
    assert main(["tidy", str(path)]) == 0
    assert "removed 1 widget view" in capsys.readouterr().out
    assert WIDGET_VIEW not in path.read_text()


def test_a_broken_notebook_is_named(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{not json")
    with pytest.raises(SystemExit, match="broken.ipynb"):
        main(["tidy", str(path)])
    assert path.read_text() == "{not json"


def test_tidy_writes_through_a_link_and_keeps_the_mode(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "nb.ipynb"
    nbformat.write(_notebook(), target)
    target.chmod(0o600)
    link = tmp_path / "nb.ipynb"
    link.symlink_to(target)
    assert main(["tidy", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert WIDGET_VIEW not in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in (tmp_path / "real").iterdir()] == ["nb.ipynb"]


def test_a_failed_write_is_one_line(tmp_path, capsys, monkeypatch):
    path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(), path)
    before = path.read_bytes()

    def refuse(*args, **kwargs):  # as in a read-only folder (tests may run as root)
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(tmp_path))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(SystemExit) as info:
        main(["tidy", str(path)])
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1, err
    assert str(path) in err and "Permission denied" in err
    assert path.read_bytes() == before


def _printing_cell():
    """A cell that printed a table row by row, with a figure and a warning in between."""
    return new_code_cell("for d in (1, 2): print(d)", outputs=[
        new_output("stream", name="stdout", text="shift  correct\n"),
        new_output("stream", name="stdout", text="1 px   99.39 %\n"),
        new_output("stream", name="stdout", text="2 px   99.22 %\n"),
        new_output("display_data", data={"text/plain": "<Figure>"}),
        new_output("stream", name="stderr", text="warning 1\n"),
        new_output("stream", name="stderr", text="warning 2\n"),
        new_output("stream", name="stdout", text="done\n"),
    ])


def test_merge_streams_joins_consecutive_pieces_of_the_same_stream():
    nb = new_notebook(cells=[_printing_cell(), new_markdown_cell("text")])
    assert merge_streams(nb) == 3
    outputs = nb.cells[0].outputs
    assert [(o.output_type, o.get("name")) for o in outputs] == [
        ("stream", "stdout"), ("display_data", None), ("stream", "stderr"), ("stream", "stdout")]
    assert outputs[0].text == "shift  correct\n1 px   99.39 %\n2 px   99.22 %\n"
    assert outputs[2].text == "warning 1\nwarning 2\n"
    assert outputs[3].text == "done\n"
    assert merge_streams(nb) == 0


def test_merge_streams_reads_text_stored_as_lines():
    cell = {"cell_type": "code", "outputs": [
        {"output_type": "stream", "name": "stdout", "text": ["a\n", "b\n"]},
        {"output_type": "stream", "name": "stdout", "text": ["c\n"]}]}
    assert merge_streams({"cells": [cell]}) == 1
    assert cell["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "a\nb\nc\n"}]


def test_tidy_command_merges_streams_and_says_so(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=[_printing_cell()]), path)
    assert main(["tidy", str(path)]) == 0
    assert "merged 3 stream output(s)" in capsys.readouterr().out
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert len(nb.cells[0].outputs) == 4
