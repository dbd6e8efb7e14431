"""The case-file contract (DESIGN.md section 4): loading, validation and clear errors."""

from __future__ import annotations

import json

import pytest
from osteonecrosis import CaseError, case_from_dict, library, library_case, load_case
from osteonecrosis.cases import drug_catalogue

DESIGN_DRUGS = {"alendronate", "risedronate", "ibandronate", "zoledronate", "pamidronate", "clodronate",
                "etidronate", "denosumab", "romosozumab", "bevacizumab", "sunitinib", "aflibercept",
                "cabozantinib"}

DESIGN_EXAMPLE = """
id: example-01
patient: {age: 71, sex: female}
indication: osteoporosis
medications:
  - drug: zoledronate
    months: 26
    current: true
jaw_radiotherapy: false
jaw_metastasis: false
findings:
  exposed_bone: true
  fistula_probes_to_bone: false
  weeks_persisting: 10
  pain: true
  infection: true
  beyond_alveolar_bone: false
  pathologic_fracture: false
  extraoral_fistula: false
  oral_antral_or_nasal_communication: false
  osteolysis_to_border: false
  nonspecific: []
risk_factors: []
planned_procedure: null
"""


def test_drug_catalogue_knows_every_design_drug():
    assert DESIGN_DRUGS <= set(drug_catalogue())


def test_design_example_loads_from_yaml_and_json(tmp_path):
    y = tmp_path / "example.yaml"
    y.write_text(DESIGN_EXAMPLE)
    case = load_case(y)
    assert case.id == "example-01" and case.patient["age"] == 71
    assert case.medications[0].drug == "zoledronate" and case.medications[0].months == 26
    assert case.findings.exposed_bone and case.findings.weeks_persisting == 10
    j = tmp_path / "example.json"
    j.write_text(json.dumps(case.to_dict()))
    assert load_case(j) == case


def test_optional_fields_default_to_absent():
    case = case_from_dict({"indication": "paget", "medications": []})
    assert not case.findings.exposed_bone and case.findings.nonspecific == ()
    assert case.risk_factors == () and case.planned_procedure is None


def test_extra_fields_are_kept_and_round_trip():
    """Extra fields: the schema's library fields, or any top-level name starting with x_."""
    case = case_from_dict({"indication": "paget", "medications": [], "vignette": "text", "x_custom": 3})
    assert case.extra == {"vignette": "text", "x_custom": 3}
    assert case.to_dict()["x_custom"] == 3


def test_optional_medication_fields():
    case = case_from_dict({"indication": "osteoporosis", "medications": [
        {"drug": "denosumab", "months": 12, "current": True, "dose_mg": 60, "every_days": 182, "route": "sc",
         "last_dose": "2026-03-02"}]})
    med = case.medications[0]
    assert med.route == "sc" and med.last_dose.isoformat() == "2026-03-02" and med.every_days == 182


@pytest.mark.parametrize("data, field", [
    ({"indication": "osteoporosis", "medications": [{"drug": "aspirin", "months": 3}]}, "medications[0].drug"),
    ({"indication": "osteoporosis", "medications": [{"drug": "zoledronate", "months": -1}]},
     "medications[0].months"),
    ({"indication": "osteoporosis", "medications": [{"drug": "zoledronate", "months": "many"}]},
     "medications[0].months"),
    ({"indication": "osteoporosis", "medications": [{"drug": "zoledronate"}]}, "medications[0].months"),
    ({"indication": "osteoporosis", "medications": [{"months": 3}]}, "medications[0].drug"),
    ({"indication": "osteoporosis", "medications": [{"drug": "zoledronate", "months": 3, "current": "yes"}]},
     "medications[0].current"),
    ({"indication": "osteoporosis", "medications": [{"drug": "zoledronate", "months": 3, "route": "im"}]},
     "medications[0].route"),
    ({"indication": "osteoporosis", "medications": [{"drug": "zoledronate", "months": 3,
                                                     "last_dose": "yesterday"}]}, "medications[0].last_dose"),
    ({"indication": "osteoporosis", "medications": "zoledronate"}, "medications"),
    ({"indication": "gout", "medications": []}, "indication"),
    ({"medications": []}, "indication"),
    ({"indication": "osteoporosis", "medications": [], "jaw_radiotherapy": "no"}, "jaw_radiotherapy"),
    ({"indication": "osteoporosis", "medications": [], "findings": {"weeks_persisting": -2}},
     "findings.weeks_persisting"),
    ({"indication": "osteoporosis", "medications": [], "findings": {"pain": 1}}, "findings.pain"),
    ({"indication": "osteoporosis", "medications": [], "findings": {"nonspecific": ["headache"]}},
     "findings.nonspecific[0]"),
    ({"indication": "osteoporosis", "medications": [], "findings": {"exposed": True}}, "findings.exposed"),
    ({"indication": "osteoporosis", "medications": [], "findings": []}, "findings"),
    ({"indication": "osteoporosis", "medications": [], "risk_factors": ["bad luck"]}, "risk_factors[0]"),
    ({"indication": "osteoporosis", "medications": [], "planned_procedure": "tattoo"}, "planned_procedure"),
    ([1, 2], "case"),
    ("just text", "case"),
    # issue 10: a typo must never silently change the answer
    ({"indication": "osteoporosis", "medication": [{"drug": "zoledronate", "months": 30}]}, "medication"),
    ({"indication": "osteoporosis"}, "medications"),
    ({"indication": "osteoporosis", "medications": [{"drug": "zoledronate", "months": 3,
                                                     "last_dose": "2024-02-30"}]}, "medications[0].last_dose"),
    ({"indication": "osteoporosis", "medications": [{"drug": "zoledronate", "months": 3, "dose": 4}]},
     "medications[0].dose"),
    ({"indication": "osteoporosis", "medications": [], "medical_history": ["pagets"]}, "medical_history[0]"),
])
def test_bad_input_names_the_field(data, field):
    with pytest.raises(CaseError) as err:
        case_from_dict(data)
    message = str(err.value)
    assert message.startswith(field), message
    assert "\n" not in message


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(CaseError, match="no such case file"):
        load_case(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("indication: [osteoporosis\n")
    with pytest.raises(CaseError, match="broken YAML"):
        load_case(broken)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{not json")
    with pytest.raises(CaseError, match="broken JSON"):
        load_case(bad_json)
    with pytest.raises(CaseError, match="is a directory"):
        load_case(tmp_path)


def test_library_has_unique_ids_and_narratives():
    cases = library()
    assert len(cases) >= 15
    for case_id, case in cases.items():
        assert case.id == case_id
        assert case.extra.get("vignette") and case.extra.get("title"), case_id


def test_library_case_lookup():
    assert library_case("op-alendronate-stage1").indication == "osteoporosis"
    with pytest.raises(CaseError, match="no case 'nope'"):
        library_case("nope")


def test_parse_date_accepts_dates_and_iso_text_only():
    import datetime as dt

    from osteonecrosis.cases import parse_date

    assert parse_date("2026-03-02") == dt.date(2026, 3, 2)
    assert parse_date(" 2026-03-02 ") == dt.date(2026, 3, 2)
    assert parse_date(dt.datetime(2026, 3, 2, 9, 30)) == dt.date(2026, 3, 2)
    assert parse_date(dt.date(2026, 3, 2)) == dt.date(2026, 3, 2)
    for bad in ("2 March 2026", "2026-13-01", 20260302, None, ["2026-03-02"]):
        assert parse_date(bad) is None, bad


# --- issue 10: the contract lives in the project, as a schema the loader uses -------------------------------

def test_misspelt_top_level_key_suggests_the_right_one():
    with pytest.raises(CaseError, match=r"^medication: unknown field \(did you mean 'medications'\?\)$"):
        case_from_dict({"indication": "osteoporosis", "medication": []})


def test_impossible_date_in_yaml_is_one_line_not_a_crash(tmp_path):
    path = tmp_path / "c.yaml"
    head = "indication: osteoporosis\nmedications:\n  - {drug: denosumab, months: 12, last_dose: "
    path.write_text(head + "2024-02-30}\n")
    with pytest.raises(CaseError, match="last_dose") as err:
        load_case(path)
    assert "\n" not in str(err.value) and "2024-02-30" in str(err.value)
    path.write_text(head + "2024-02-28}\n")
    assert load_case(path).medications[0].last_dose.isoformat() == "2024-02-28"


def test_every_library_case_conforms_to_the_schema():
    import yaml
    from osteonecrosis.cases import CASES_DIR, schema_problems
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        from osteonecrosis.cases import _jsonable
        assert schema_problems(_jsonable(data)) == [], path.name


def test_schema_and_loader_know_the_same_values():
    from osteonecrosis import cases
    props = cases.case_schema()["properties"]
    assert tuple(props["indication"]["enum"]) == cases.INDICATIONS
    assert tuple(props["risk_factors"]["items"]["enum"]) == cases.RISK_FACTORS
    assert tuple(props["medical_history"]["items"]["enum"]) == cases.MEDICAL_HISTORY
    assert tuple(props["findings"]["properties"]["nonspecific"]["items"]["enum"]) == cases.NONSPECIFIC_SIGNS
    assert [p for p in props["planned_procedure"]["enum"] if p] == list(cases.PROCEDURES)
    assert set(props) - {"title", "vignette", "expected_stage", "teaching_note"} == cases.CONTRACT_FIELDS
    findings = set(props["findings"]["properties"])
    from dataclasses import fields as dc_fields
    assert findings == {f.name for f in dc_fields(cases.Findings)}


def test_contract_is_documented_inside_the_project():
    from pathlib import Path

    import osteonecrosis
    root = Path(osteonecrosis.__file__).resolve().parents[2]
    doc = (root / "docs" / "case_contract.md").read_text()
    for name in ("medications", "medical_history", "case_schema.json", "x_", "exit status 2"):
        assert name in doc, name
    pkg = Path(osteonecrosis.__file__).resolve().parent
    for py in pkg.rglob("*.py"):
        text = py.read_text()
        assert "../shared" not in text and "DESIGN.md" not in text, py.name


# --- Issue 17: assessed_on, the visit date that overdue doses are judged on --------------------------------------

def test_assessed_on_is_an_optional_visit_date_that_round_trips():
    from osteonecrosis import case_from_dict

    data = {"indication": "osteoporosis", "medications": [], "assessed_on": "2026-05-04"}
    case = case_from_dict(data)
    assert case.assessed_on is not None and case.assessed_on.isoformat() == "2026-05-04"
    assert case.to_dict()["assessed_on"] == "2026-05-04"
    assert "assessed_on" not in case_from_dict({"indication": "osteoporosis", "medications": []}).to_dict()


@pytest.mark.parametrize("value", ["2026-02-30", "soon", 5])
def test_a_bad_assessed_on_is_one_line_naming_the_field(value):
    from osteonecrosis import case_from_dict
    from osteonecrosis.cases import CaseError

    with pytest.raises(CaseError, match=r"^assessed_on"):
        case_from_dict({"indication": "osteoporosis", "medications": [], "assessed_on": value})


def test_an_overdue_denosumab_is_judged_on_the_visit_date_not_the_clock():
    from osteonecrosis import case_from_dict, rules

    med = {"drug": "denosumab", "months": 30, "current": True, "dose_mg": 60, "every_days": 182,
           "last_dose": "2026-01-10"}
    on_time = case_from_dict({"indication": "osteoporosis", "medications": [med], "assessed_on": "2026-07-01"})
    late = case_from_dict({"indication": "osteoporosis", "medications": [med], "assessed_on": "2026-09-01"})
    assert rules.denosumab_not_current(on_time) == []
    assert [m.drug for m in rules.denosumab_not_current(late)] == ["denosumab"]
