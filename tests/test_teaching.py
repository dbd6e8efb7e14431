"""The notebook check helpers: pure graders and the widgets over them."""

from __future__ import annotations

import pytest
from osteonecrosis import teaching


def test_grade_choice():
    assert teaching.grade_choice("b", "b", "Because.").correct
    fb = teaching.grade_choice("a", "b", "Because.", hints={"a": "Think of the 8-week rule."})
    assert not fb.correct and "8-week rule" in fb.message
    assert not teaching.grade_choice(None, "b", "x").correct


def test_grade_number_range_and_direction():
    assert teaching.grade_number(5, 4, 6, "Right.").correct
    low = teaching.grade_number(1, 4, 6, "Right.", unit="%")
    assert not low.correct and "too low" in low.message and "4 and 6 %" in low.message
    assert "too high" in teaching.grade_number(9, 4, 6, "Right.").message
    assert not teaching.grade_number(None, 4, 6, "x").correct


def test_quiz_widget_gives_feedback_when_a_choice_is_made():
    box = teaching.quiz("Stage?", ["1", "2"], "2", "Pain makes it stage 2.", hints={"1": "Is there pain?"})
    radio, out = box.children[1], box.children[2]
    assert out.value == ""
    radio.value = "1"
    assert "Is there pain?" in out.value
    radio.value = "2"
    assert "Pain makes it stage 2." in out.value


def test_quiz_rejects_an_answer_not_offered():
    with pytest.raises(ValueError, match="not among the options"):
        teaching.quiz("?", ["a"], "b", "")


def test_estimate_reveals_on_click():
    box = teaching.estimate("How many?", 10, 20, "Within range.", unit="per 1000")
    entry, button = box.children[1].children
    out = box.children[2]
    entry.value = 15
    button.click()
    assert "Within range." in out.value


def test_references_render_from_registry():
    md = teaching.references(["aaoms2022"])
    assert "Ruggiero" in md.data
