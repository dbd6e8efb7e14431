"""The declared scope (docs/clinical_scope.md): outside it, the CLI and the widgets say so in one line and
give no adult figure (review W6: a child on pamidronate got 'Out of 100 people ... between 0.001 and 5')."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from osteonecrosis import risk, scope
from osteonecrosis import widgets as W
from osteonecrosis.cases import INDICATIONS, case_from_dict, drug_catalogue
from osteonecrosis.cli import main
from osteonecrosis.models import virtual_patient as vp
from osteonecrosis.models.parameters import ModelInputError

CHILD_OI = """id: child-oi
patient: {age: 9, sex: female}
indication: other
medications:
  - {drug: pamidronate, months: 24, current: true, dose_mg: 30, every_days: 90, route: iv}
planned_procedure: extraction
"""
FIGURE = re.compile(r"\d+(\.\d+)?\s*%|per 1000|Out of [\d,]+ people|between [\d.]+ and [\d.]+")


def _run(capsys, tmp_path, command: str, text: str) -> tuple[int, str, str]:
    path = tmp_path / "case.yaml"
    path.write_text(text)
    code = main([command, str(path)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_child_on_pamidronate_gets_no_adult_figure_from_risk(capsys, tmp_path):
    code, out, err = _run(capsys, tmp_path, "risk", CHILD_OI)
    assert code == 0
    assert len(out.strip().splitlines()) == 1 and len(err.strip().splitlines()) == 1
    result = json.loads(out)
    assert result["in_scope"] is False and "under 18" in result["out_of_scope"]
    assert "\n" not in result["out_of_scope"] and result["out_of_scope"] in err
    assert not FIGURE.search(out), out
    assert "overall" not in result and "patient_sentence" not in result


def test_plan_for_a_child_gives_no_plan_and_stage_still_teaches_the_criteria(capsys, tmp_path):
    code, out, _ = _run(capsys, tmp_path, "plan", CHILD_OI)
    result = json.loads(out)
    assert code == 0 and result["in_scope"] is False and "no plan is given" in result["out_of_scope"]
    assert not FIGURE.search(out) and "items" not in result
    code, out, _ = _run(capsys, tmp_path, "stage", CHILD_OI)
    result = json.loads(out)
    assert code == 0 and result["stage"] == "at_risk" and result["reasons"]      # the contract still holds
    assert result["in_scope"] is False and "exercise, not a diagnosis" in result["out_of_scope"]


def test_an_adult_with_the_same_drugs_is_in_scope_and_the_basis_names_the_dose(capsys, tmp_path):
    code, out, err = _run(capsys, tmp_path, "risk", CHILD_OI.replace("age: 9", "age: 18"))
    result = json.loads(out)
    assert code == 0 and err == "" and result["in_scope"] is True and result["overall"]
    basis = result["overall"]["basis"]
    assert "no dose given" not in basis and "30 mg every 90 days" in basis


@pytest.mark.parametrize("extra, fragment", [
    ("jaw_radiotherapy: true\n", "osteoradionecrosis"),
    ("findings: {exposed_bone: true, weeks_persisting: 10}\n", "not MRONJ"),
])
def test_risk_is_out_of_scope_for_an_irradiated_jaw_or_exposed_bone_without_a_drug(capsys, tmp_path, extra,
                                                                                    fragment):
    meds = "medications: []\n" if "exposed_bone" in extra else \
        "medications:\n  - {drug: zoledronate, months: 6, current: true}\n"
    code, out, _ = _run(capsys, tmp_path, "risk", "indication: bone_metastases\n" + meds + extra)
    result = json.loads(out)
    assert code == 0 and result["in_scope"] is False and fragment in result["out_of_scope"]
    assert not FIGURE.search(out)


def test_scope_rejects_an_unknown_command():
    case = case_from_dict({"indication": "osteoporosis", "medications": []})
    with pytest.raises(ValueError, match="command"):
        scope.out_of_scope(case, "dance")


@settings(max_examples=300, deadline=None)
@given(age=st.integers(min_value=0, max_value=17),
       drug=st.sampled_from(sorted(drug_catalogue())),
       indication=st.sampled_from(INDICATIONS),
       months=st.integers(min_value=0, max_value=120),
       current=st.booleans(),
       dose=st.one_of(st.none(), st.sampled_from([1.0, 4.0, 30.0, 60.0, 90.0, 120.0])),
       procedure=st.sampled_from([None, "extraction", "implant", "scaling"]))
def test_no_case_under_18_ever_gets_a_risk_figure(age, drug, indication, months, current, dose, procedure):
    """Invariant over generated cases: under 18, risk.assess gives no range, no per-1000 figure and no
    patient sentence with a number, whatever the drug, indication, dose or procedure."""
    med = {"drug": drug, "months": months, "current": current, **({"dose_mg": dose} if dose else {})}
    case = case_from_dict({"patient": {"age": age}, "indication": indication, "medications": [med],
                           "planned_procedure": procedure})
    out = risk.assess(case)
    assert out.in_scope is False and out.overall is None and out.per_1000 is None
    assert all(e["range"] is None for e in out.exposures) and not out.side_by_side
    assert not re.search(r"\d", out.patient_sentence)
    assert out.planned_procedure is None and out.risk_factors == []


@settings(max_examples=200, deadline=None)
@given(age=st.integers(min_value=18, max_value=100), drug=st.sampled_from(["alendronate", "zoledronate",
                                                                            "denosumab"]),
       indication=st.sampled_from(["osteoporosis", "bone_metastases", "multiple_myeloma", "paget"]))
def test_adults_on_antiresorptives_stay_in_scope(age, drug, indication):
    case = case_from_dict({"patient": {"age": age}, "indication": indication,
                           "medications": [{"drug": drug, "months": 24}]})
    assert scope.out_of_scope(case, "risk") is None and risk.assess(case).in_scope is True


def test_risk_explorer_says_so_in_one_line_for_a_child_and_draws_no_figure():
    w = W.risk_explorer(drug="pamidronate", indication="bone_metastases")
    assert "low_percent" in w.state
    w.age.value = 12
    assert w.error == "" and "under 18" in w.state["out_of_scope"]
    assert "low_percent" not in w.state and not FIGURE.search(w.text.value)
    assert w.text.value.count("<p") == 1
    w.age.value = 40
    assert w.state["high_percent"] > 0 and "out_of_scope" not in w.state


def test_virtual_patient_refuses_a_child_in_one_line():
    case = case_from_dict({"patient": {"age": 10}, "indication": "other",
                           "medications": [{"drug": "zoledronate", "months": 12, "dose_mg": 1, "every_days": 180}]})
    with pytest.raises(ModelInputError, match="under 18") as err:
        vp.from_case(case)
    assert "\n" not in str(err.value)
