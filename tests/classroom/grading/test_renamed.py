"""Renamed notebooks in submitted/ (through the exchange): adopted by their cells when unambiguous."""

import json
import os
from pathlib import Path

from classroom.grading import renamed

WANTED = {"ps1.ipynb": {"q1_a", "q1_tests"}, "ps1_extra.ipynb": {"x_answer"}}


def _nb(path: Path, *grade_ids: str) -> bytes:
    cells = [{"cell_type": "code", "metadata": {"nbgrader": {"grade_id": g}}, "source": g, "outputs": []}
             for g in grade_ids]
    data = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def test_nothing_missing_nothing_done(tmp_path: Path) -> None:
    _nb(tmp_path / "ps1.ipynb", "q1_a")
    _nb(tmp_path / "ps1_extra.ipynb", "x_answer")
    _nb(tmp_path / "ps1 (copy).ipynb", "q1_a")
    assert renamed.adopt(tmp_path, WANTED) == []


def test_a_renamed_notebook_in_a_subfolder_is_graded_under_its_name(tmp_path: Path) -> None:
    _nb(tmp_path / "ps1_extra.ipynb", "x_answer")
    data = _nb(tmp_path / "final" / "ps1_drugs_final.ipynb", "q1_a", "q1_tests")
    lines = renamed.adopt(tmp_path, WANTED)
    assert (tmp_path / "ps1.ipynb").read_bytes() == data
    assert len(lines) == 1 and "final/ps1_drugs_final.ipynb graded as ps1.ipynb" in lines[0]


def test_two_candidates_are_ambiguous_and_left_alone(tmp_path: Path) -> None:
    _nb(tmp_path / "a.ipynb", "q1_a")
    _nb(tmp_path / "b.ipynb", "q1_tests")
    lines = renamed.adopt(tmp_path, WANTED)
    assert not (tmp_path / "ps1.ipynb").exists()
    assert any("ps1.ipynb missing and 2 notebooks" in line and "ambiguous" in line for line in lines)


def test_a_notebook_with_cells_of_two_notebooks_is_not_graded(tmp_path: Path) -> None:
    _nb(tmp_path / "merged.ipynb", "q1_a", "x_answer")
    lines = renamed.adopt(tmp_path, WANTED)
    assert not (tmp_path / "ps1.ipynb").exists() and not (tmp_path / "ps1_extra.ipynb").exists()
    assert "carries cells of ps1.ipynb, ps1_extra.ipynb" in lines[0]


def test_links_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _nb(outside / "someone_else.ipynb", "q1_a", "q1_tests")
    student = tmp_path / "student"
    student.mkdir()
    os.symlink(outside / "someone_else.ipynb", student / "mine.ipynb")
    os.symlink(outside, student / "linked_folder")
    lines = renamed.adopt(student, WANTED)
    assert not (student / "ps1.ipynb").exists()
    assert lines == ["mine.ipynb: is a symbolic link (refused): not considered"]


def test_a_planted_link_at_the_expected_name_is_replaced_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "victim.txt"
    target.write_text("instructor's file")
    student = tmp_path / "student"
    _nb(student / "renamed.ipynb", "q1_a")
    os.symlink(target, student / ".ps1.ipynb.grader-part")
    renamed.adopt(student, WANTED)
    assert target.read_text() == "instructor's file"
    assert not (student / "ps1.ipynb").is_symlink() and b"q1_a" in (student / "ps1.ipynb").read_bytes()
