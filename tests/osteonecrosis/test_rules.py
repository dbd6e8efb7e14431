"""One home for each clinical rule (issue 10): staging, plan, other staging and the simulator agree."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from osteonecrosis import case_from_dict, library, other_staging, rules
from osteonecrosis.models import virtual_patient as vp
from osteonecrosis.plan import make_plan, not_mronj_reasons
from osteonecrosis.risk import RiskAssessment, assess
from osteonecrosis.staging import stage

DRUGS = ("alendronate", "zoledronate", "denosumab", "bevacizumab", "sunitinib")


@st.composite
def cases(draw):
    meds = [{"drug": d, "months": draw(st.sampled_from([0, 3, 30])), "current": draw(st.booleans())}
            for d in draw(st.lists(st.sampled_from(DRUGS), max_size=2, unique=True))]
    findings = {
        "exposed_bone": draw(st.booleans()),
        "fistula_probes_to_bone": draw(st.booleans()),
        "weeks_persisting": draw(st.sampled_from([0, 4, 8, 9, 20])),
        "pain": draw(st.booleans()),
        "infection": draw(st.booleans()),
        "pathologic_fracture": draw(st.booleans()),
        "nonspecific": draw(st.lists(st.sampled_from(["altered_sensation", "jaw_pain"]), unique=True)),
    }
    return case_from_dict({
        "indication": draw(st.sampled_from(["osteoporosis", "bone_metastases", "paget", "other"])),
        "medications": meds, "findings": findings,
        "jaw_radiotherapy": draw(st.booleans()), "jaw_metastasis": draw(st.booleans()),
    })


@settings(max_examples=150, deadline=None)
@given(cases())
def test_staging_plan_and_sicmf_share_the_exclusions(case):
    result = stage(case)
    excluded = rules.exclusions(case)
    if excluded:
        assert result.stage == "not_mronj" and result.exclusions == [e.code for e in excluded]
        assert make_plan(case).stage == "not_mronj"
        assert not_mronj_reasons(case)
        sicmf = other_staging.sicmf_stage_from_case(case)
        counted = [e for e in excluded if e.code != "antiangiogenic_only"]
        assert (sicmf.stage == "not_mronj") == bool(counted)
    elif rules.has_lesion(case.findings) and case.findings.weeks_persisting <= rules.persisting_weeks_threshold():
        assert result.stage == "not_mronj" and "short_exposure" in not_mronj_reasons(case)
    else:
        assert result.stage != "not_mronj"
    assert bool(rules.numb_chin(case)) == any("metastasis work-up" in w for w in result.warnings)


def test_the_simulator_stages_through_the_same_rules():
    p = vp.new_patient("zoledronate", "bone_metastases", 24, seed=0, medical_history=("skeletal_radiotherapy",))
    assert rules.teriparatide_contraindications(p.as_case())
    p.findings = vp.Findings(exposed_bone=True, weeks_persisting=4, pathologic_fracture=True)
    assert p.stage_code() == "not_mronj"
    assert any("pathologic fracture" in w for w in p.stage_result().warnings)


def test_was_given_is_one_rule():
    case = case_from_dict({"indication": "other", "medications": [
        {"drug": "alendronate", "months": 0, "current": False}, {"drug": "denosumab", "months": 0}]})
    assert [m.drug for m in rules.drugs_given(case)] == ["denosumab"]      # current with 0 months: given now
    assert rules.exposure(case) == {"antiresorptive": True, "antiangiogenic": False}


# --- typed results, dict access kept for older callers ---------------------------------------------------

def test_plan_and_risk_are_typed_dataclasses_without_a_dict_layer():
    """Issue 17 item 3: results are frozen dataclasses read by attribute; the dict layer (ResultMapping) is gone."""
    import dataclasses

    case = library()["onc-denosumab-stage2"]
    plan = make_plan(case)
    risk = assess(case)
    assert isinstance(risk, RiskAssessment)
    for result in (plan, risk):
        assert dataclasses.is_dataclass(result) and result.__dataclass_params__.frozen
        assert not isinstance(result, dict)
        with pytest.raises(TypeError):
            result["stage"]  # noqa: B018 - no item access
        assert not hasattr(result, "get") and not hasattr(result, "keys")
        data = result.to_dict()
        assert type(data) is dict and list(data) == [f.name for f in dataclasses.fields(result)]
        assert json.loads(json.dumps(data))
    assert plan.stage == plan.to_dict()["stage"] == "2"
    assert risk.group == "oncology" and list(risk.to_dict())[0] == "case"


def test_results_are_read_only():
    plan = make_plan(library()["onc-denosumab-stage2"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.stage = "1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        assess(library()["onc-denosumab-stage2"]).overall = None


def test_has_a_lesion_and_the_8_week_window_are_read_from_rules_only() -> None:
    """One home: no module of the package re-derives "has a lesion" or reads criterion 2's window itself."""
    import re
    from pathlib import Path

    import osteonecrosis

    pkg = Path(osteonecrosis.__file__).parent
    rederived = re.compile(r"exposed_bone\s+or\s+\S*fistula_probes_to_bone"
                           r"|fistula_probes_to_bone\s+or\s+\S*exposed_bone"
                           r"|\[\"persisting_more_than_weeks\"\]")
    offenders = [f"{p.relative_to(pkg)}:{n}" for p in pkg.rglob("*.py") if p.name != "rules.py"
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if rederived.search(line)]
    assert not offenders, f"re-derive the rule through osteonecrosis.rules instead: {offenders}"


# --- Issue 17: one regimen resolver and one elective-surgery rule ----------------------------------------------

import itertools  # noqa: E402

from osteonecrosis import plan as plan_module  # noqa: E402
from osteonecrosis import prevention, risk  # noqa: E402
from osteonecrosis.cases import Medication, drug_catalogue  # noqa: E402


def _all_regimen_meds() -> list[Medication]:
    meds = []
    for drug, entry in drug_catalogue().items():
        for reg, route, every in itertools.product(entry.get("regimens") or [None], (None, "oral", "iv", "sc"),
                                                   (None, 1, 7, 28, 84, 182, 365)):
            meds.append(Medication(drug=drug, months=12, dose_mg=None if reg is None else reg["dose_mg"],
                                   every_days=every, route=route))
    return meds


def test_one_regimen_resolver_no_copies_elsewhere():
    """Issue 17 item 3: the wrappers prevention.medication_group and risk._regimen_group are gone; the plan,
    prevention and risk modules ask rules.py, and none of them matches a dose to the catalogue's regimens."""
    assert not hasattr(prevention, "medication_group") and not hasattr(risk, "_regimen_group")
    from pathlib import Path
    for module in (prevention, risk, plan_module):
        text = Path(module.__file__).read_text(encoding="utf-8")
        assert 'float(r["dose_mg"]) == float(med.dose_mg)' not in text, module.__name__
        assert 'r["dose_mg"] == med.dose_mg' not in text, module.__name__


@pytest.mark.parametrize("med, route", [
    (Medication("ibandronate", 12, dose_mg=3), "iv"),
    (Medication("ibandronate", 12, dose_mg=150), "oral"),
    (Medication("ibandronate", 12), None),                  # two routes, no dose: cannot be told
    (Medication("ibandronate", 12, route="iv"), "iv"),
    (Medication("zoledronate", 12), "iv"),
    (Medication("alendronate", 12, dose_mg=999), "oral"),   # no matching dose, one route
    (Medication("denosumab", 12), "sc"),
    (Medication("etidronate", 12), None),                   # no regimen in the catalogue
])
def test_route_of(med, route):
    assert rules.route_of(med) == route


def test_prevention_and_risk_read_the_route_from_the_one_resolver():
    for med in _all_regimen_meds():
        assert prevention._route(med) == (rules.route_of(med) or "oral"), med
        is_bp = drug_catalogue()[med.drug]["class"].endswith("bisphosphonate")
        assert risk._is_oral_bisphosphonate(med) == (is_bp and rules.route_of(med) == "oral"), med


def test_elective_surgery_rule_sends_staged_cases_to_the_specialist_and_keeps_non_invasive_care_routine():
    aln = {"drug": "alendronate", "months": 24, "current": True}
    case = case_from_dict({"indication": "osteoporosis", "medications": [aln], "planned_procedure": "extraction"})
    assert rules.elective_surgery_rule(case, "at_risk", False, False, False).advice == "proceed_with_precautions"
    for code in ("0", "1", "2", "3"):
        assert rules.elective_surgery_rule(case, code, False, False, False).advice == "specialist"
    assert rules.elective_surgery_rule(case, "not_mronj", True, False, False).advice == "specialist"
    scaling = case_from_dict({"indication": "osteoporosis", "medications": [aln], "planned_procedure": "scaling"})
    assert rules.elective_surgery_rule(scaling, "2", False, False, False).advice == "routine"
