"""AAOMS 2022 case definition and staging: one test per rule of DESIGN.md section 4, plus properties."""

from __future__ import annotations

import copy
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from osteonecrosis import case_from_dict, library
from osteonecrosis.cases import NONSPECIFIC_SIGNS, STAGE3_FINDINGS
from osteonecrosis.staging import STAGES, stage, stage_order

ZOL = [{"drug": "zoledronate", "months": 20, "current": True}]


def staged(findings: dict | None = None, **fields) -> str:
    data = {"indication": "bone_metastases", "medications": ZOL, "findings": findings or {}}
    data.update(fields)
    return stage(case_from_dict(data)).stage


# --- Rule 1: exclusions -----------------------------------------------------------------------------

def test_no_drug_ever_is_not_mronj():
    result = stage(case_from_dict({"indication": "other", "medications": [],
                                   "findings": {"exposed_bone": True, "weeks_persisting": 20}}))
    assert result.stage == "not_mronj"
    assert any("no antiresorptive or antiangiogenic" in r for r in result.reasons)


def test_listed_but_never_given_drug_is_no_exposure():
    data = {"indication": "other", "medications": [{"drug": "alendronate", "months": 0, "current": False}],
            "findings": {"exposed_bone": True, "weeks_persisting": 20}}
    assert stage(case_from_dict(data)).stage == "not_mronj"


def test_jaw_radiotherapy_excludes_whatever_the_findings():
    result = stage(case_from_dict({"indication": "bone_metastases", "medications": ZOL, "jaw_radiotherapy": True,
                                   "findings": {"exposed_bone": True, "weeks_persisting": 30,
                                                "pathologic_fracture": True}}))
    assert result.stage == "not_mronj"
    assert any("radiotherapy" in r and "osteoradionecrosis" in r for r in result.reasons)


def test_jaw_metastasis_excludes():
    result = stage(case_from_dict({"indication": "bone_metastases", "medications": ZOL, "jaw_metastasis": True,
                                   "findings": {"exposed_bone": True, "weeks_persisting": 30}}))
    assert result.stage == "not_mronj"
    assert any("metastatic" in r for r in result.reasons)


@pytest.mark.parametrize("weeks", [0, 1, 6, 7.9, 8])
@pytest.mark.parametrize("lesion", ["exposed_bone", "fistula_probes_to_bone"])
def test_lesion_for_8_weeks_or_less_is_not_yet_mronj(weeks, lesion):
    result = stage(case_from_dict({"indication": "osteoporosis", "medications": ZOL,
                                   "findings": {lesion: True, "weeks_persisting": weeks, "pain": True}}))
    assert result.stage == "not_mronj"
    assert "re-evaluate after 8 weeks" in result.reasons[0]
    assert result.re_evaluate_after_weeks == 8


def test_just_over_8_weeks_is_mronj():
    assert staged({"exposed_bone": True, "weeks_persisting": 8.1}) == "1"


# --- Rules 2 and 3: at risk and stage 0 -------------------------------------------------------------

def test_exposure_without_findings_is_at_risk():
    assert staged({}) == "at_risk"


@pytest.mark.parametrize("sign", NONSPECIFIC_SIGNS)
def test_any_nonspecific_sign_is_stage_0(sign):
    result = stage(case_from_dict({"indication": "osteoporosis", "medications": ZOL,
                                   "findings": {"nonspecific": [sign]}}))
    assert result.stage == "0"
    assert any("nonspecific" in r for r in result.reasons)


def test_pain_alone_without_lesion_is_stage_0():
    # issue 17 (H2): AAOMS 2022 stage 0 covers nonspecific symptoms; pain with exposure is one (it was at_risk)
    assert staged({"pain": True}) == "0"


# --- Rules 4 to 6: stages 1, 2, 3 -------------------------------------------------------------------

def test_stage_1_asymptomatic_exposed_bone():
    assert staged({"exposed_bone": True, "weeks_persisting": 12}) == "1"


def test_stage_1_probing_fistula():
    assert staged({"fistula_probes_to_bone": True, "weeks_persisting": 12}) == "1"


@pytest.mark.parametrize("symptom", ["pain", "infection"])
def test_stage_2_pain_or_infection(symptom):
    result = stage(case_from_dict({"indication": "osteoporosis", "medications": ZOL,
                                   "findings": {"exposed_bone": True, "weeks_persisting": 12, symptom: True}}))
    assert result.stage == "2"
    assert any(symptom in r for r in result.reasons)


@pytest.mark.parametrize("feature", STAGE3_FINDINGS)
@pytest.mark.parametrize("symptoms", [{}, {"pain": True}, {"pain": True, "infection": True}])
def test_any_stage_3_feature_decides_whatever_the_symptoms(feature, symptoms):
    result = stage(case_from_dict({"indication": "osteoporosis", "medications": ZOL,
                                   "findings": {"exposed_bone": True, "weeks_persisting": 12, feature: True,
                                                **symptoms}}))
    assert result.stage == "3"
    assert any("stage-3 feature" in r for r in result.reasons)


def test_stage_3_feature_without_lesion_is_stage_0_not_stage_3():
    # the stage-3 features qualify confirmed exposed-bone disease; without a lesion they are stage-0 findings
    assert staged({"pathologic_fracture": True}) == "0"


def test_reasons_name_the_drug_and_duration():
    result = stage(case_from_dict({"indication": "osteoporosis", "medications": ZOL,
                                   "findings": {"exposed_bone": True, "weeks_persisting": 12}}))
    assert "zoledronate" in result.reasons[0]
    assert "12 weeks" in result.reasons[1]
    assert result.source and all(isinstance(k, str) for k in result.source)


def test_library_cases_stage_as_their_vignettes_say():
    cases = library()
    assert len(cases) >= 15
    for case_id, case in cases.items():
        assert stage(case).stage == case.extra["expected_stage"], case_id


def test_library_covers_every_stage_exclusion_and_population():
    cases = library()
    stages = {stage(c).stage for c in cases.values()}
    assert stages == set(STAGES)
    reasons = " ".join(r for c in cases.values() for r in stage(c).reasons)
    for exclusion in ("no antiresorptive", "radiotherapy", "metastatic", "re-evaluate after 8 weeks"):
        assert exclusion in reasons
    indications = {c.indication for c in cases.values()}
    assert {"osteoporosis", "bone_metastases", "multiple_myeloma"} <= indications


# --- Properties (hypothesis) --------------------------------------------------------------------------

BOOL_FINDINGS = ("exposed_bone", "fistula_probes_to_bone", "pain", "infection", *STAGE3_FINDINGS)
DRUGS = ("alendronate", "zoledronate", "denosumab", "bevacizumab", "romosozumab")


ANY_WEEKS = st.floats(min_value=0, max_value=60, allow_nan=False)


@st.composite
def case_data(draw, weeks=ANY_WEEKS):
    meds = draw(st.lists(st.fixed_dictionaries({
        "drug": st.sampled_from(DRUGS),
        "months": st.integers(min_value=0, max_value=120),
        "current": st.booleans(),
    }), max_size=3))
    findings = {k: draw(st.booleans()) for k in BOOL_FINDINGS}
    findings["weeks_persisting"] = draw(weeks)
    findings["nonspecific"] = draw(st.lists(st.sampled_from(NONSPECIFIC_SIGNS), unique=True, max_size=3))
    return {
        "indication": draw(st.sampled_from(["osteoporosis", "bone_metastases", "multiple_myeloma", "paget"])),
        "medications": meds,
        "jaw_radiotherapy": draw(st.booleans()),
        "jaw_metastasis": draw(st.booleans()),
        "findings": findings,
    }


def _rank(data: dict) -> int:
    return stage_order(stage(case_from_dict(data)).stage)


@settings(max_examples=300, deadline=None)
@given(case_data(weeks=st.floats(min_value=8.01, max_value=60, allow_nan=False)),
       st.sampled_from([*BOOL_FINDINGS, *NONSPECIFIC_SIGNS]))
def test_adding_a_finding_never_lowers_the_stage(data, finding):
    """With the lesion past 8 weeks, turning any finding on (or adding a sign) never lowers the stage."""
    more = copy.deepcopy(data)
    if finding in NONSPECIFIC_SIGNS:
        if finding not in more["findings"]["nonspecific"]:
            more["findings"]["nonspecific"].append(finding)
    else:
        more["findings"][finding] = True
    assert _rank(more) >= _rank(data)


@settings(max_examples=200, deadline=None)
@given(case_data(), st.sampled_from(["pain", "infection", *STAGE3_FINDINGS, *NONSPECIFIC_SIGNS]))
def test_adding_a_symptom_or_feature_never_lowers_the_stage_at_any_duration(data, finding):
    more = copy.deepcopy(data)
    if finding in NONSPECIFIC_SIGNS:
        more["findings"]["nonspecific"] = sorted({*more["findings"]["nonspecific"], finding})
    else:
        more["findings"][finding] = True
    assert _rank(more) >= _rank(data)


@settings(max_examples=200, deadline=None)
@given(case_data(), st.floats(min_value=0, max_value=30, allow_nan=False))
def test_longer_persistence_never_lowers_a_confirmed_stage(data, extra_weeks):
    """Once past 8 weeks, more weeks never change the stage; before, they can only confirm the case."""
    later = copy.deepcopy(data)
    later["findings"]["weeks_persisting"] += extra_weeks
    before, after = stage(case_from_dict(data)).stage, stage(case_from_dict(later)).stage
    if before != "not_mronj":
        assert after == before


@settings(max_examples=200, deadline=None)
@given(case_data(), st.sampled_from(["jaw_radiotherapy", "jaw_metastasis", "no_drug"]))
def test_an_exclusion_always_yields_not_mronj(data, exclusion):
    data = copy.deepcopy(data)
    if exclusion == "no_drug":
        data["medications"] = []
    else:
        data[exclusion] = True
    assert stage(case_from_dict(data)).stage == "not_mronj"


def _shuffled(value, rnd: random.Random):
    if isinstance(value, dict):
        items = list(value.items())
        rnd.shuffle(items)
        return {k: _shuffled(v, rnd) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rnd) for v in value]
    return value


@settings(max_examples=200, deadline=None)
@given(case_data(), st.integers(min_value=0, max_value=10_000))
def test_the_verdict_never_depends_on_field_order(data, seed):
    rnd = random.Random(seed)
    shuffled = _shuffled(data, rnd)
    shuffled["medications"] = rnd.sample(shuffled["medications"], len(shuffled["medications"]))
    shuffled["findings"]["nonspecific"] = rnd.sample(shuffled["findings"]["nonspecific"],
                                                     len(shuffled["findings"]["nonspecific"]))
    a, b = stage(case_from_dict(data)), stage(case_from_dict(shuffled))
    assert a.stage == b.stage
    assert a.reasons == b.reasons


# --- Issue 10: criterion 1 as AAOMS 2022 words it ---------------------------------------------------------

BEV = {"drug": "bevacizumab", "months": 8, "current": True}
LESION_9W = {"exposed_bone": True, "weeks_persisting": 9}


def test_antiangiogenic_alone_is_not_mronj_and_names_the_older_definitions():
    result = stage(case_from_dict({"indication": "other", "medications": [BEV], "findings": LESION_9W}))
    assert result.stage == "not_mronj"
    text = " ".join(result.reasons)
    assert "AAOMS 2022 criterion 1" in text and "AAOMS 2014" in text and "MASCC/ISOO/ASCO 2019" in text
    assert {"aaoms2022", "aaoms2014", "mascc2019"} <= set(result.source)
    assert result.to_dict()["exclusions"] == ["antiangiogenic_only"]


def test_antiangiogenic_with_an_antiresorptive_meets_criterion_1():
    meds = [BEV, {"drug": "zoledronate", "months": 6, "current": True}]
    assert stage(case_from_dict({"indication": "bone_metastases", "medications": meds,
                                 "findings": LESION_9W})).stage == "1"


def test_library_bevacizumab_case_follows_aaoms_2022():
    result = stage(library()["onc-bevacizumab-stage1"])
    assert result.stage == "not_mronj" and "AAOMS 2014" in " ".join(result.reasons)


# --- Issue 10: harmful outputs -----------------------------------------------------------------------------

def test_numb_lip_with_known_cancer_asks_for_metastasis_work_up_and_keeps_the_stage():
    result = stage(library()["onc-denosumab-stage0"])
    assert result.stage == "0"                                   # stage unchanged: no jaw metastasis recorded
    assert any("metastasis work-up (imaging" in w and "before calling it stage 0" in w for w in result.warnings)
    assert any("metastasis work-up" in r for r in result.reasons)
    assert "laurencet2000" in result.source
    assert result.to_dict()["warnings"] == result.warnings


def test_numb_lip_with_a_recorded_jaw_metastasis_is_not_mronj():
    data = library()["onc-denosumab-stage0"].to_dict()
    data["jaw_metastasis"] = True
    assert stage(case_from_dict(data)).stage == "not_mronj"


@pytest.mark.parametrize("fields, warned", [
    ({"indication": "osteoporosis"}, False),                                  # no cancer on record
    ({"indication": "osteoporosis", "medical_history": ["malignancy"]}, True),
    ({"indication": "multiple_myeloma"}, True),
])
def test_numb_chin_rule_needs_a_known_malignancy(fields, warned):
    data = {"medications": ZOL, "findings": {"nonspecific": ["altered_sensation"]}, **fields}
    result = stage(case_from_dict(data))
    assert result.stage == "0"
    assert bool(result.warnings) is warned


def test_eight_week_window_never_defers_treating_a_fracture():
    data = {"indication": "bone_metastases", "medications": [{"drug": "zoledronate", "months": 24}],
            "findings": {"exposed_bone": True, "weeks_persisting": 6, "pathologic_fracture": True}}
    result = stage(case_from_dict(data))
    assert result.stage == "not_mronj" and result.re_evaluate_after_weeks == 8
    assert any("never defers" in r for r in result.reasons)
    warning = " ".join(result.warnings)
    assert "never defers the treatment of a fracture, a fistula or an infection" in warning
    assert "pathologic fracture" in warning


def test_eight_week_window_names_each_complication_present():
    data = {"indication": "osteoporosis", "medications": [{"drug": "alendronate", "months": 50}],
            "findings": {"fistula_probes_to_bone": True, "weeks_persisting": 3, "infection": True,
                         "extraoral_fistula": True}}
    warning = " ".join(stage(case_from_dict(data)).warnings)
    for name in ("fistula that probes to bone", "extraoral fistula", "infection"):
        assert name in warning
    assert "pathologic fracture" not in warning


def test_staging_exercise_feedback_asks_for_the_metastasis_work_up():
    from osteonecrosis.staging_quiz import grade_stage
    case = library()["onc-denosumab-stage0"]
    for chosen in ("0", "at_risk", "1"):
        assert "metastasis work-up (imaging" in grade_stage(case, chosen).message
    assert grade_stage(case, "0").correct


# --- Issue 17 (H2): AAOMS 2022 stage 0 covers every non-exposed presentation with symptoms or findings ------------

@pytest.mark.parametrize("finding", ["pain", "infection", *STAGE3_FINDINGS])
def test_h2_symptom_or_finding_without_exposed_bone_is_stage_0_never_at_risk(finding):
    """AAOMS 2022 (as ECTS 2022 Table 3 quotes it): stage 0 = no clinical evidence of necrotic bone but
    nonspecific symptoms or clinical/radiographic findings; at risk = none of these."""
    result = stage(case_from_dict({"indication": "osteoporosis", "medications": ZOL,
                                   "findings": {finding: True}}))
    assert result.stage == "0"
    assert any("clinical or radiographic finding" in r or "symptom" in r for r in result.reasons)


def test_h2_fracture_osteolysis_pain_and_infection_without_exposed_bone_is_stage_0_with_treat_now_warning():
    result = stage(case_from_dict({"indication": "bone_metastases", "medications": ZOL, "findings": {
        "pathologic_fracture": True, "osteolysis_to_border": True, "pain": True, "infection": True}}))
    assert result.stage == "0"
    assert any("pathologic fracture" in w and "now" in w for w in result.warnings)
