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


# --- checks by id (checks/*.yaml): the answers live outside the student's notebook -------------------------------


def test_every_check_entry_is_showable_and_consistent():
    """Each quiz's answer and hint keys are among its options; each estimate's range is ordered; every entry
    can be filled (entries whose values function needs the notebook's data get a sample of it)."""
    import datetime as dt

    sample_inputs = {  # what the notebooks pass to the values functions that need their data
        "alendronate_left_after_holiday": {"therapy_months": 60},
        "smallest_hypothesis_set": {"marks": {"h1": {"o1": "+"}}, "observations": ["o1"]},
        "ects_window_dates": {"last": dt.date(2025, 3, 14)},
        "windows_after_august": {"last": dt.date(2025, 3, 14)},
    }
    for check_id, raw in teaching.checks().items():
        assert raw["kind"] in teaching.CHECK_KINDS, check_id
        assert check_id[:2] == raw["notebook"][:2], f"{check_id} lives in {raw['notebook']}.yaml"
        e = teaching.check_entry(check_id, **sample_inputs.get(raw.get("values"), {}))
        assert e["question"].strip(), check_id
        if e["kind"] == "quiz":
            assert e["answer"] in e["options"], check_id
            assert set(e.get("hints") or {}) <= set(e["options"]) - {e["answer"]}, check_id
            assert len(set(e["options"])) == len(e["options"]) >= 2, check_id
        elif e["kind"] == "estimate":
            assert e["low"] <= e["high"], check_id
        else:
            assert e["answer"].strip(), check_id


def test_check_builds_the_widget_from_its_entry():
    box = teaching.check("00-risk-factors-diabetes-smoking-denture")
    radio, out = box.children[1], box.children[2]
    assert "risk_factors[1]" in box.children[0].value and out.value == ""
    radio.value = '"diabetes"'
    assert "position 0" in out.value
    radio.value = '"smoking"'
    assert "Correct" in out.value


def test_check_computes_its_values_from_the_knowledge_base():
    from osteonecrosis import knowledge

    dose = knowledge.find("alendronate-op-weekly", "drugs")["dose_mg"]
    e = teaching.check_entry("00-weekly-tablets-total")
    assert e["low"] == e["high"] == dose * 52 and f"{dose:g} mg" in e["question"]
    box = teaching.check("02-smallest-hypothesis-set", marks={"h1": {"o1": "+"}, "h2": {"o2": "+"}},
                         observations=["o1", "o2"])
    entry, button = box.children[1].children
    entry.value = 2
    button.click()
    assert "Correct" in box.children[2].value


def test_unknown_check_and_bad_inputs_say_what_is_wrong():
    with pytest.raises(teaching.CheckError, match="no check 'nope'"):
        teaching.check("nope")
    with pytest.raises(teaching.CheckError, match="cannot take"):
        teaching.check("02-smallest-hypothesis-set", wrong=1)


def test_modifiable_factor_quiz_agrees_with_the_knowledge_base():
    """The quiz's key (an ill-fitting denture can be worked on; corticosteroids cannot) rests on risk.yaml's
    'modifiable' marks: if they change, this fails before a student is told the wrong answer."""
    from osteonecrosis import course_views

    modifiable = course_views.modifiable_factors()
    assert "denture" in modifiable and "corticosteroids" not in modifiable
    assert "denture" in teaching.check_entry("03-modifiable-risk-factor")["explanation"]
