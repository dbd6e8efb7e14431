"""Widgets in-process: moving a control changes what is displayed; bad combinations show one clear line."""

from __future__ import annotations

import html

import pytest
from osteonecrosis import widgets as W
from osteonecrosis.models import TEACHING_MODEL_NOTE


@pytest.fixture(scope="module")
def built():
    return {name: make() for name, make in W.ALL.items()}


@pytest.mark.parametrize("name", list(W.ALL))
def test_every_widget_says_it_is_a_teaching_model_and_describes_its_output(built, name):
    w = built[name]
    assert html.escape(TEACHING_MODEL_NOTE) in w.banner.value
    assert w.error == ""
    assert w.state.get("description") and "Figure description" in w.description.value


def test_drug_levels_holiday_changes_the_output():
    w = W.drug_levels()
    before, image = w.state["bp_left_percent"], w.view.image.value
    w.holiday.value = 24
    assert w.state["bp_left_percent"] < before and w.view.image.value != image
    w.bp.value = "zoledronate-op-yearly"
    assert w.state["bp_regimen"] == "zoledronate-op-yearly"
    w.therapy.value = -3
    assert "time on the drug" in w.error and "Check the controls" in w.message.value
    w.therapy.value = 36
    assert w.error == "" and w.message.value == ""


def test_remodelling_lab_drug_choice_changes_the_rebound():
    w = W.remodelling_lab()
    assert w.state["peak_after_stop_percent"] > 120
    w.drug.value = "bisphosphonate"
    assert w.state["peak_after_stop_percent"] < 100
    w.trigger.value = True
    assert w.state["drug"] == "bisphosphonate"
    w.follow_up.value = -1
    assert "follow-up" in w.error
    w.follow_up.value = 12
    w.drug.value = "denosumab"
    w.treatment.value = 0
    assert "treatment" in w.error


def test_cohort_lab_controls_change_the_output():
    w = W.cohort_lab(n=5000)
    first = dict(w.state)
    w.share_foreseen.value = 1.0
    assert w.state["expected_prevented_per_1000"] > first["expected_prevented_per_1000"]
    w.drug.value = "denosumab"
    assert w.state["drug"] == "denosumab" and w.state["indication"] in [v for _, v in w.indication.options]
    w.indication.value = "osteoporosis"
    assert w.state["without_per_1000"] < 1
    w.seed.value = 99
    assert w.error == ""
    w.n.value = 0
    assert "empty" in w.error
    w.n.value = 2000
    assert w.error == "" and w.state["n"] == 2000


def test_staging_explorer_side_by_side():
    w = W.staging_explorer()
    assert (w.state["aaoms"], w.state["sicmf"]) == ("1", "1A")
    w.findings["pain"].value = True
    assert w.state["aaoms"] == "2" and w.state["sicmf"] == "1B"
    w.findings["pathologic_fracture"].value = True
    assert w.state["aaoms"] == "3" and w.state["sicmf"] == "3"
    w.weeks.value = 4
    assert w.state["aaoms"] == "not_mronj"
    w.radiotherapy.value = True
    assert w.state["aaoms"] == "not_mronj" and "radiotherapy" in " ".join(w.state["aaoms_reasons"])
    w.weeks.value = -2
    assert "weeks_persisting" in w.error


def test_risk_explorer_icons_follow_the_range():
    w = W.risk_explorer()
    on_drug = w.state["icons_low"] + w.state["icons_extra"]
    w.extraction.value = True
    assert w.state["after_extraction"] and w.state["icons_low"] + w.state["icons_extra"] > on_drug
    w.indication.value = "osteoporosis"
    w.extraction.value = False
    assert w.state["high_percent"] < 1
    w.months.value = -1
    assert "months" in w.error
    w.months.value = 6
    w.drug.value = "sunitinib"
    assert "case reports" in w.error
    w.drug.value = "denosumab"
    assert w.error == ""


def test_virtual_patient_decisions_advance_the_story():
    w = W.virtual_patient(seed=3)
    assert w.state["week"] == 0 and "screening" in w.state["actions"]
    w.action.value = "screening"
    w.go.click()
    assert w.state["steps"] == 1 and w.state["last_verdict"] == "in_line"
    assert "Sources:" in w.advice.value
    w.action.value = "start_therapy"
    w.go.click()
    assert w.state["steps"] == 2
    w.debrief_button.click()
    assert w.state["debrief_rows"] == 2 and "Debrief" in w.debrief_html.value
    image = w.view.image.value
    w.action.value = "wait"
    w.go.click()
    assert w.state["week"] > 1 and w.view.image.value != image


def test_virtual_patient_seed_and_builder():
    w = W.virtual_patient(case_id=None, seed=1)
    p1 = w.state["p_extraction"]
    w.seed.value = 2
    assert w.state["p_extraction"] != p1 and w.state["steps"] == 0
    w.seed.value = 1
    assert w.state["p_extraction"] == p1                      # same seed, same patient
    w.months.value = -4
    assert "months on the drug" in w.error
    w.months.value = 12
    w.drug.value = "sunitinib"
    assert "sunitinib" in w.error
    w.drug.value = "denosumab"
    assert w.error == "" and w.state["drug"] == "denosumab"


# ------------------------------------------------------------------------------------- layout people can use
def _controls(w) -> list:
    out, todo = [], list(w.controls_box.children) + [c for c in w.children if hasattr(c, "children")]
    while todo:
        c = todo.pop()
        if hasattr(c, "children"):
            todo += list(c.children)
        else:
            out.append(c)
    return out


def _px(width: str) -> int:
    assert width.endswith("px"), width
    return int(width[:-2])


@pytest.mark.parametrize("name", list(W.ALL))
def test_controls_are_wide_enough_for_their_texts(built, name):
    """Dropdowns, lists and check boxes are as wide as their description plus their longest text; sliders
    leave a track of at least 200 px beside the whole label and the readout (the default 300 px cut texts and
    left the cohort lab's sliders a 0 px track)."""
    import ipywidgets as ipw
    from osteonecrosis.widgets._base import text_px

    for c in _controls(built[name]):
        desc = getattr(c, "description", "") or ""
        if isinstance(c, ipw.Dropdown | ipw.SelectMultiple):
            longest = max(text_px(str(label)) for label in c._options_labels) if c._options_labels else 0
            need = (text_px(desc) + 12 if desc else 0) + longest + 30
            if name == "virtual_patient" and c.description == "Decision":
                from osteonecrosis.models import virtual_patient as vp

                longest = max(text_px(a.label) for a in vp.ACTIONS.values())
                need = text_px(desc) + 12 + longest + 30
            assert c.layout.width and _px(c.layout.width) >= min(need, 760), (name, desc, c.layout.width, need)
        elif isinstance(c, ipw.Checkbox):
            assert c.layout.width and _px(c.layout.width) >= text_px(desc) + 30, (name, desc, c.layout.width)
        elif isinstance(c, ipw.FloatSlider | ipw.IntSlider):
            track = _px(c.layout.width) - text_px(desc) - 12 - 60
            assert track >= 200, (name, desc, c.layout.width)


def test_staging_panels_name_each_result_the_same_way():
    w = W.staging_explorer()
    w.radiotherapy.value = True
    assert w.state["aaoms"] == w.state["sicmf"] == "not_mronj"
    assert w.state["aaoms_label"] == w.state["sicmf_label"] == "Not MRONJ"
    assert "not_mronj" not in w.output.value and w.output.value.count("Not MRONJ") == 2
    w.radiotherapy.value = False
    w.findings["pain"].value = True
    assert w.state["sicmf_label"] == "Stage 1B" and "Stage 1B" in w.output.value


def test_virtual_patient_timeline_shows_week_0_and_the_debrief_reads_well():
    w = W.virtual_patient(seed=3)
    assert w.state["week"] == 0 and w.state["steps"] == 0
    xs, ys = w.now_marker.get_data()
    assert list(xs) == [0] and len(ys) == 1                      # a dot at week 0, not an empty box
    assert "week 0" in w.now_text.get_text() and "Decide" in w.now_text.get_text()
    assert "a dot at this week's stage" in w.state["description"]
    w.action.value = "screening"
    w.go.click()
    w.debrief_button.click()
    from osteonecrosis.widgets.virtual_patient import weeks_text

    assert weeks_text(1) == "1 week" and weeks_text(0) == "0 weeks" and weeks_text(3) == "3 weeks"
    assert f"Debrief after {weeks_text(w.patient.week)}<" in w.debrief_html.value
    assert "1 weeks" not in w.debrief_html.value
    assert "border" in w.debrief_html.value and "padding" in w.debrief_html.value
    assert w.case.options[0][0] and ":" not in w.case.options[0][0].split(" ")[0]  # a title, not an id
