"""Other staging systems: SICMF-SIPMO, ARCO 2019/1994, Ficat, osteoradionecrosis grades and definitions."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from osteonecrosis import knowledge
from osteonecrosis import other_staging as o
from osteonecrosis.cases import case_from_dict, library


def test_other_osteonecrosis_knowledge_is_sound():
    assert [p for p in knowledge.validate() if p.startswith(("other_osteonecrosis", "pathophysiology",
                                                             "seed_audit"))] == []


@pytest.mark.parametrize(("minor", "ct", "symptomatic", "signs", "expected"), [
    (True, "alveolar", False, [], "1A"),
    (True, "alveolar", True, [], "1B"),
    (True, "basal", False, [], "2A"),
    (True, "basal", True, [], "2B"),
    (True, "complicated", False, [], "3"),
    (True, "basal", True, ["extraoral_fistula"], "3"),
    (True, "alveolar", False, ["pathologic_fracture"], "3"),
    (False, "basal", True, [], "unconfirmed"),
    (True, "none", True, [], "unconfirmed"),
])
def test_sicmf_stage_table(minor, ct, symptomatic, signs, expected):
    result = o.sicmf_stage(minor, ct, symptomatic, signs)
    assert result.stage == expected
    assert result.source[0] == "sicmf_sipmo" and result.reasons


@pytest.mark.parametrize(("args", "fragment"), [
    ((True, "mandible", False), "ct_extent: unknown value 'mandible'"),
    (("yes", "basal", False), "minor_signs: expected True or False"),
    ((True, "basal", False, ["fistula"]), "complicated_signs: unknown value 'fistula'"),
    ((True, "basal", False, "extraoral_fistula"), "expected a list"),
])
def test_sicmf_stage_rejects_bad_arguments(args, fragment):
    with pytest.raises(ValueError, match=fragment):
        o.sicmf_stage(*args)


@given(st.booleans(), st.sampled_from(o.CT_EXTENTS), st.booleans(),
       st.lists(st.sampled_from(sorted(o.sicmf_complicated_signs())), max_size=3))
def test_sicmf_symptoms_only_change_the_letter(minor, ct, symptomatic, signs):
    a = o.sicmf_stage(minor, ct, False, signs).stage
    b = o.sicmf_stage(minor, ct, True, signs).stage
    assert a.rstrip("AB") == b.rstrip("AB")
    if a not in ("3", "unconfirmed"):
        assert a.endswith("A") and b.endswith("B")


def _case(**findings):
    return case_from_dict({"indication": "bone_metastases", "medications": [{"drug": "zoledronate", "months": 24}],
                           "findings": {"weeks_persisting": 10, **findings}})


@pytest.mark.parametrize(("findings", "expected"), [
    ({"exposed_bone": True}, "1A"),
    ({"exposed_bone": True, "pain": True}, "1B"),
    ({"fistula_probes_to_bone": True, "infection": True}, "1B"),
    ({"exposed_bone": True, "beyond_alveolar_bone": True}, "2A"),
    ({"exposed_bone": True, "oral_antral_or_nasal_communication": True, "pain": True}, "2B"),
    ({"exposed_bone": True, "extraoral_fistula": True}, "3"),
    ({"exposed_bone": True, "pathologic_fracture": True, "pain": True}, "3"),
    ({"exposed_bone": True, "osteolysis_to_border": True}, "3"),
    ({"nonspecific": ["tooth_mobility", "radiographic_change"]}, "1A"),
    ({"nonspecific": ["tooth_mobility", "radiographic_change", "jaw_pain"]}, "1B"),
    ({"nonspecific": ["jaw_pain"]}, "unconfirmed"),
    ({}, "unconfirmed"),
])
def test_sicmf_stage_from_case(findings, expected):
    result = o.sicmf_stage_from_case(_case(**findings))
    assert result.stage == expected
    assert result.evidence == "teaching_rule" and result.assumptions
    assert any("CT extent inferred" in r for r in result.reasons)


def test_sicmf_from_case_exclusions():
    case = case_from_dict({"indication": "other", "medications": [], "findings": {"exposed_bone": True}})
    assert o.sicmf_stage_from_case(case).stage == "not_mronj"
    rt = case_from_dict({"indication": "bone_metastases", "jaw_radiotherapy": True,
                         "medications": [{"drug": "denosumab", "months": 5}], "findings": {"exposed_bone": True}})
    assert "osteoradionecrosis" in o.sicmf_stage_from_case(rt).reasons[0]


@pytest.mark.parametrize("case_id", sorted(library()))
def test_sicmf_maps_every_library_case(case_id):
    out = o.sicmf_stage_from_case(library()[case_id]).to_dict()
    json.dumps(out)
    assert out["stage"] in {"not_mronj", "unconfirmed", "1A", "1B", "2A", "2B", "3"}
    assert all(k in knowledge.references() for k in out["source"])


@pytest.mark.parametrize(("args", "stage", "evidence"), [
    ((False, False, False), "none", "guideline"),
    ((False, True, False), "I", "guideline"),
    ((True, True, False), "II", "guideline"),
    ((True, True, True, 0), "IIIA", "guideline"),
    ((True, True, True, 2), "IIIA", "guideline"),
    ((True, True, True, 2.5), "IIIB", "unverified"),
    ((True, True, True, 5, True), "IV", "unverified"),
])
def test_arco2019(args, stage, evidence):
    result = o.arco2019_stage(*args)
    assert (result.stage, result.evidence) == (stage, evidence)
    assert result.source == ["arco2019"]


def test_arco2019_rejects_depression_without_fracture_and_bad_types():
    with pytest.raises(ValueError, match="depression_mm"):
        o.arco2019_stage(True, True, False, 3)
    with pytest.raises(ValueError, match="must not be negative"):
        o.arco2019_stage(True, True, True, -1)
    with pytest.raises(ValueError, match="xray_abnormal"):
        o.arco2019_stage(1, True, False)


def test_verified_arco_stages_are_answers_and_unverified_are_not():
    stages = {s["stage"]: s for s in knowledge.load("other_osteonecrosis")["femoral_head"]["arco2019"]["stages"]}
    for verified in ("I", "II", "IIIA"):
        assert stages[verified]["answer"] and stages[verified]["evidence"] == "guideline"
    for unverified in ("IIIB", "IV"):
        assert stages[unverified]["evidence"] == "unverified" and not stages[unverified].get("answer")


@pytest.mark.parametrize(("kwargs", "stage"), [
    ({"imaging_normal_histology_positive": True, "mri_positive": False, "xray_positive": False,
      "crescent_sign": False}, "0"),
    ({"imaging_normal_histology_positive": False, "mri_positive": True, "xray_positive": False,
      "crescent_sign": False, "necrotic_percent": 10}, "1A"),
    ({"imaging_normal_histology_positive": False, "mri_positive": True, "xray_positive": True,
      "crescent_sign": False, "necrotic_percent": 20}, "2B"),
    ({"imaging_normal_histology_positive": False, "mri_positive": True, "xray_positive": True,
      "crescent_sign": True, "depression_mm": 1, "necrotic_percent": 40}, "3C"),
    ({"imaging_normal_histology_positive": False, "mri_positive": True, "xray_positive": True,
      "crescent_sign": True, "depression_mm": 3}, "3B"),
    ({"imaging_normal_histology_positive": False, "mri_positive": True, "xray_positive": True,
      "crescent_sign": True, "osteoarthritis": True}, "4"),
])
def test_arco1994(kwargs, stage):
    assert o.arco1994_stage(**kwargs).stage == stage


@pytest.mark.parametrize(("args", "stage"), [
    (("normal", False), "none"), (("normal", True, False), "0"), (("normal", True, True), "I"),
    (("sclerosis_or_cysts",), "II"), (("crescent",), "transition"), (("collapse",), "III"),
    (("osteoarthritis",), "IV"),
])
def test_ficat(args, stage):
    assert o.ficat_stage(*args).stage == stage


def test_ficat_rejects_unknown_xray():
    with pytest.raises(ValueError, match="xray: unknown value 'blurry'"):
        o.ficat_stage("blurry")


@pytest.mark.parametrize(("args", "kwargs", "stage"), [
    ((1.5, 7), {"definition": "marx1983"}, "orn"),
    ((1.0, 7), {"definition": "marx1983"}, "not_orn"),   # not MORE than 1 cm
    ((2.0, 4), {"definition": "marx1983"}, "not_orn"),   # under 6 months
    ((0.5, 4), {}, "orn"),                               # common definition: 3 months
    ((0.5, 2), {}, "not_orn"),
    ((0.5, 4), {"tumour_present": True}, "not_orn"),
    ((0.5, 4), {"irradiated_field": False}, "not_orn"),
])
def test_orn_definitions(args, kwargs, stage):
    assert o.orn_definition_met(*args, **kwargs).stage == stage


def test_orn_traditional_grades():
    assert o.orn_grade_traditional(True).stage == "I"
    assert o.orn_grade_traditional(True, True).stage == "II"
    assert o.orn_grade_traditional(True, True, True).stage == "III"
    assert o.orn_grade_traditional(False).stage == "none"


@pytest.mark.parametrize(("kwargs", "grade"), [
    ({"necrosis": False}, "0"),
    ({"necrosis": True, "exposure_mm": 1}, "1"),
    ({"necrosis": True, "surgery": "minimal_sequestrectomy"}, "2"),
    ({"necrosis": True, "surgery": "sequestrectomy"}, "3"),
    ({"necrosis": True, "surgery": "resection"}, "4"),
    ({"necrosis": True, "surgery": "sequestrectomy", "below_canal": True}, "4"),
    ({"necrosis": True, "continuity_defect": True}, "4"),
])
def test_orn_dahanca_grades(kwargs, grade):
    result = o.orn_grade_dahanca(**kwargs)
    assert result.stage == grade and result.source == ["dahanca21"]


def test_orn_dahanca_flags_large_exposure_and_rejects_contradictions():
    result = o.orn_grade_dahanca(True, exposure_mm=5)
    assert result.stage == "1" and "under 2 mm" in result.reasons[0]
    with pytest.raises(ValueError, match="necrosis: False"):
        o.orn_grade_dahanca(False, surgery="resection")


def test_notani_is_unverified():
    assert o.orn_grade_notani("alveolar").stage == "I"
    assert o.orn_grade_notani("above_canal").stage == "II"
    result = o.orn_grade_notani("above_canal", skin_fistula=True)
    assert result.stage == "III" and result.evidence == "unverified"


def test_orn_dose_flags():
    assert o.orn_dose_flags(55, 40, 10) == []
    flags = o.orn_dose_flags(dmax_gy=66, dmean_gy=47, v60_percent=20)
    assert len(flags) == 3
    assert all(f["source"] for f in flags)
    with pytest.raises(ValueError, match="dmax_gy"):
        o.orn_dose_flags(dmax_gy="high")


def test_orn_and_hip_facts_in_the_data():
    data = knowledge.load("other_osteonecrosis")
    orn = data["osteoradionecrosis"]
    inc = next(e for e in orn["incidence"] if e["id"] == "orn-incidence")
    assert (inc["low_percent"], inc["high_percent"]) == (2, 22)
    dah = next(e for e in orn["hyperbaric_oxygen"] if e["id"] == "orn-dahanca21-result")
    assert dah["healed_hbo"] == [21, 30] and dah["healed_control"] == [18, 35]
    bil = data["femoral_head"]["bilaterality"][0]
    assert bil["min_percent"] == 50
    glueck = next(e for e in data["ischemic_jaw"] if e["id"] == "glueck1996-thrombophilia")
    assert (glueck["with_coagulopathy"], glueck["patients"]) == (35, 49)
