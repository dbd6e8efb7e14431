"""MRONJ risk: cited ranges, risk factors, the case assessment and the `risk` command."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from osteonecrosis import knowledge, risk, rules
from osteonecrosis.cases import CASES_DIR, RISK_FACTORS, case_from_dict, drug_catalogue, library

ONCOLOGY_AND_LOW = ("zoledronate", "denosumab", "pamidronate", "alendronate", "risedronate", "ibandronate")


def _all_source_keys(obj):
    """Every value under a 'source' key anywhere in nested data."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "source":
                yield from ([v] if isinstance(v, str) else v)
            else:
                yield from _all_source_keys(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _all_source_keys(v)


def test_risk_knowledge_is_sound():
    problems = [p for p in knowledge.validate() if p.startswith("risk")]
    assert problems == []


def test_mascc_table_values_reach_the_ranges():
    assert (risk.baseline_range("zoledronate", "bone_metastases").low_percent,
            risk.baseline_range("zoledronate", "bone_metastases").high_percent) == (1.0, 8.0)
    pam = risk.baseline_range("pamidronate", "multiple_myeloma")
    assert (pam.low_percent, pam.high_percent) == (3.2, 5.0)
    dmab = risk.baseline_range("denosumab", "bone_metastases")
    assert (dmab.low_percent, dmab.high_percent) == (0.7, 6.9)
    assert risk.baseline_range("denosumab", "adjuvant").high_percent == 0.0
    assert risk.baseline_range("zoledronate", "adjuvant").high_percent == 1.8
    assert "mascc2019" in dmab.source


def test_osteoporosis_range_is_the_envelope_of_its_estimates():
    rng = risk.baseline_range("alendronate", "osteoporosis")
    assert (rng.low_percent, rng.high_percent) == (0.001, 0.02)
    assert set(rng.source) == {"taskforce2015", "rheumatologist_review"}


@pytest.mark.parametrize("drug", ONCOLOGY_AND_LOW)
def test_oncology_range_exceeds_osteoporosis_range(drug):
    onc = risk.baseline_range(drug, "bone_metastases")
    low = risk.baseline_range(drug, "osteoporosis")
    assert onc.low_percent > low.high_percent, (drug, onc, low)


def test_every_range_is_ordered_and_cited():
    rows = risk.all_ranges()
    assert len(rows) >= 20
    for row in rows:
        assert 0 <= row["low_percent"] <= row["high_percent"] <= 100, row
        assert row["source"] and all(k in knowledge.references() for k in row["source"])
        assert row["evidence"] in knowledge.EVIDENCE_STATUSES
        assert row["basis"]


def test_range_sources_cover_their_estimates():
    data = knowledge.load("risk")
    estimates = {e["id"]: e for e in data["estimates"]}
    for entry in data["ranges"]:
        for est_id in entry["from"]:
            est = estimates[est_id]
            assert est["evidence"] != "unverified", (entry["id"], est_id)
            for key in knowledge.source_keys(est):
                assert key in knowledge.source_keys(entry), (entry["id"], key)


def test_unverified_figures_are_never_answers_nor_ranges():
    data = knowledge.load("risk")
    for e in data["unverified_estimates"]:
        assert e["evidence"] == "unverified" and not e.get("answer")
    used = {i for r in data["ranges"] for i in r["from"]}
    assert not used & {e["id"] for e in data["unverified_estimates"]}
    for _, entry in knowledge.iter_entries(data):
        if entry.get("answer"):
            assert entry["evidence"] != "unverified"
            for key in knowledge.source_keys(entry):
                assert knowledge.reference(key).verification != "unverified", entry["id"]


@pytest.mark.parametrize(("low", "high", "expected"), [(1.0, 8.0, (10.0, 80.0)), (0.001, 0.02, (0.01, 0.2)),
                                                       (0.0, 0.0, (0.0, 0.0)), (3.2, 5.0, (32.0, 50.0))])
def test_per_1000(low, high, expected):
    rng = risk.RiskRange(low, high, ["mascc2019"], "guideline", "test")
    assert rng.per_1000() == pytest.approx(expected)
    assert rng.as_fractions() == pytest.approx((low / 100, high / 100))


@given(st.floats(0, 100), st.floats(0, 100))
def test_per_1000_is_ten_times_percent(a, b):
    low, high = sorted((a, b))
    lo, hi = risk.RiskRange(low, high, [], "guideline", "").per_1000()
    assert math.isclose(lo, low * 10, abs_tol=1e-5) and math.isclose(hi, high * 10, abs_tol=1e-5)
    assert lo <= hi


@pytest.mark.parametrize(("args", "fragment"), [
    (("aspirin", "osteoporosis"), "unknown drug 'aspirin'"),
    (("zoledronate", "flu"), "unknown indication 'flu'"),
    (("zoledronate", "other"), "indication 'other' has no risk group"),
    (("sunitinib", "bone_metastases"), "case reports only"),
    (("romosozumab", "bone_metastases"), "no cited MRONJ risk figure for romosozumab"),
    (("zoledronate", "osteoporosis", "oral"), "not given by the oral route"),
    (("zoledronate", "osteoporosis", "patch"), "unknown route 'patch'"),
])
def test_bad_requests_raise_a_clear_value_error(args, fragment):
    with pytest.raises(ValueError, match=fragment) as info:
        risk.baseline_range(*args)
    assert "\n" not in str(info.value)


def test_fallback_ranges_say_so():
    romo = risk.baseline_range("romosozumab", "osteoporosis")
    assert romo.fallback and "No romosozumab-specific rate" in romo.basis
    assert not risk.baseline_range("zoledronate", "bone_metastases").fallback


def test_paget_uses_the_low_dose_group():
    assert risk.baseline_range("zoledronate", "paget") == risk.baseline_range("zoledronate", "osteoporosis")


def test_extraction_effect_is_the_meta_analysis():
    eff = risk.extraction_effect()
    by_id = {e["id"]: e for e in eff["estimates"]}
    crude = by_id["extraction-crude-rr"]
    assert (crude["point"], crude["ci_low"], crude["ci_high"]) == (4.28, 1.73, 10.58)
    assert by_id["extraction-adjusted-or"]["point"] == 26.94
    assert by_id["extraction-adjusted-hr"]["point"] == 9.96
    for e in eff["estimates"]:
        assert e["ci_low"] <= e["point"] <= e["ci_high"]
    assert "infected teeth" in eff["counterpoint"]["text"]
    assert eff["counterpoint"]["source"] == ["soutome2021"]
    onc = eff["absolute_after_extraction"]["oncology"]
    op = eff["absolute_after_extraction"]["low_dose"]
    assert (onc["low_percent"], onc["high_percent"]) == (1.6, 14.8)
    assert (op["low_percent"], op["high_percent"]) == (0.0, 0.15)


def test_every_risk_factor_of_the_contract_has_an_effect():
    effects = risk.risk_factor_effects()
    assert set(effects) == set(RISK_FACTORS)
    for name, eff in effects.items():
        assert eff["source"], name
        if eff["quantified"]:
            assert "effect" in eff, name
        else:
            assert "not established" in eff["text"], name
    assert effects["denture"]["effect"]["point"] == 4.9
    assert effects["chemotherapy"]["evidence"] == "unverified"


def test_cohort_parameters_are_fractions():
    p = risk.cohort_parameters("zoledronate", "bone_metastases")
    assert p["baseline_incidence"]["low"] == pytest.approx(0.01)
    assert p["baseline_incidence"]["high"] == pytest.approx(0.08)
    ext = p["extraction_relative_effect"]
    assert ext["low"] <= ext["point"] <= ext["high"]
    assert p["after_extraction"]["high"] == pytest.approx(0.148)
    assert p["time_courses"], "oncology cohorts get the published time courses"
    op = risk.cohort_parameters("alendronate", "osteoporosis")
    assert op["baseline_incidence"]["high"] < p["baseline_incidence"]["low"]
    assert op["time_courses"] == []
    with pytest.raises(ValueError, match="unknown drug"):
        risk.cohort_parameters("aspirin", "osteoporosis")


def test_time_courses_rise_with_time():
    for course in risk.time_courses("oncology"):
        for series in course["points"].values():
            years = [p["years"] for p in series]
            assert years == sorted(years)
            if course["measure"] == "cumulative_incidence":
                values = [p["percent"] for p in series]
                assert values == sorted(values), course["id"]


LIBRARY = library()


@pytest.mark.parametrize("case_id", sorted(LIBRARY))
def test_assess_library_case(case_id):
    case = LIBRARY[case_id]
    out = risk.assess(case)
    json.dumps(out.to_dict())  # JSON-able
    keys = list(_all_source_keys(out.to_dict()))
    assert keys and all(k in knowledge.references() for k in keys), case_id
    assert out.disclaimer and out.patient_sentence
    if out.overall is not None:
        lo, hi = out.per_1000
        assert lo <= hi
        assert out.per_1000 == pytest.approx([out.overall["low_percent"] * 10,
                                                 out.overall["high_percent"] * 10])
        assert out.evidence in knowledge.EVIDENCE_STATUSES
    if out.in_scope:
        assert [f["factor"] for f in out.risk_factors] == list(case.risk_factors)
    else:                                   # outside the declared scope: the reason, and no figure at all
        assert out.out_of_scope and out.overall is None and out.risk_factors == []


def test_library_is_not_empty():
    assert len(LIBRARY) >= 10


def _case(indication, *meds, **extra):
    return case_from_dict({"indication": indication, "medications": list(meds), **extra})


def test_assess_takes_the_highest_risk_exposure():
    case = _case("bone_metastases", {"drug": "denosumab", "months": 10}, {"drug": "pamidronate", "months": 30,
                                                                            "current": False})
    out = risk.assess(case)
    assert out.overall["from"] == "denosumab"  # 0.7-6.9% beats 3.2-5.0% on the upper bound
    assert {e["drug"] for e in out.exposures} == {"denosumab", "pamidronate"}
    stopped = next(e for e in out.exposures if e["drug"] == "pamidronate")
    assert "stay in bone" in stopped["stopped"]


def test_assess_combination_sunitinib_with_zoledronate():
    out = risk.assess(_case("bone_metastases", {"drug": "sunitinib", "months": 6},
                            {"drug": "zoledronate", "months": 6}))
    assert out.overall["high_percent"] == 29.0
    assert out.group == "oncology"
    assert out.exposures[0]["range"] is None and "case reports only" in out.exposures[0]["note"]


def test_assess_antiangiogenic_alone_without_a_rate():
    out = risk.assess(_case("other", {"drug": "aflibercept", "months": 4}))
    assert out.overall is None and out.per_1000 is None
    assert "not known" in out.patient_sentence
    assert out.source


def test_assess_other_indication_infers_group_from_dose():
    adj = risk.assess(_case("other", {"drug": "zoledronate", "months": 12, "dose_mg": 4, "every_days": 180}))
    assert adj.overall["id"] == "range-zoledronate-adjuvant"
    monthly = risk.assess(_case("other", {"drug": "zoledronate", "months": 12, "dose_mg": 4, "every_days": 28}))
    assert monthly.overall["id"] == "range-zoledronate-oncology"
    vague = risk.assess(_case("other", {"drug": "zoledronate", "months": 12}))
    assert vague.overall["fallback"] and vague.overall["high_percent"] == 8.0


def test_assess_no_exposure_uses_general_population_and_shows_planned_drug():
    out = risk.assess(_case("bone_metastases", {"drug": "zoledronate", "months": 0, "current": False},
                            planned_procedure="extraction"))
    assert out.group == "general_population"
    assert out.overall["high_percent"] == 0.001
    assert out.not_yet_given[0]["range_once_started"]["high_percent"] == 8.0
    assert out.planned_procedure["relative_effect"]["estimates"]


def test_assess_extraction_gives_absolute_risk_for_the_group():
    out = risk.assess(_case("osteoporosis", {"drug": "alendronate", "months": 48}, planned_procedure="extraction",
                            risk_factors=["corticosteroids"]))
    assert out.planned_procedure["absolute_for_this_case"]["high_percent"] == 0.15
    assert out.risk_factors[0]["quantified"] is False
    assert "Out of 10,000 people taking alendronate" in out.patient_sentence


def test_patient_sentence_uses_a_readable_denominator():
    rng = risk.RiskRange(1.0, 8.0, ["mascc2019"], "guideline", "")
    assert risk.patient_sentence(rng, "like you").startswith("Out of 100 people like you, between 1 and 8")
    zero = risk.RiskRange(0.0, 0.0, ["mascc2019"], "guideline", "")
    assert "no case" in risk.patient_sentence(zero, "like you")


def test_every_drug_in_the_catalogue_is_handled_by_assess():
    for drug in drug_catalogue():
        for indication in ("osteoporosis", "bone_metastases", "other"):
            out = risk.assess(_case(indication, {"drug": drug, "months": 12}))
            assert out.exposures[0]["drug"] == drug
            assert out.exposures[0]["range"] is not None or out.exposures[0]["note"]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "osteonecrosis", "risk", *args], capture_output=True,
                          text=True, timeout=60)


def test_cli_risk_prints_json_with_sources():
    proc = _cli(str(CASES_DIR / "onc-zoledronate-stage1-fistula.yaml"))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["overall"]["source"] and out["source"]
    assert out["per_1000"] == [10.0, 80.0]
    assert out["disclaimer"]


@pytest.mark.parametrize("content", ["indication: osteoporosis\nmedications: [{drug: aspirin, months: 3}]\n",
                                     "indication: [broken\n"])
def test_cli_risk_bad_input_exits_2_with_one_line(tmp_path, content):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    proc = _cli(str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_cli_risk_missing_file():
    proc = _cli("/nonexistent/case.yaml")
    assert proc.returncode == 2 and "no such case file" in proc.stderr and "Traceback" not in proc.stderr


# --- Issue 10: risk ranges side by side, each labelled by period ----------------------------------------------

def test_osteoporosis_ranges_task_force_and_aaoms_2022_side_by_side():
    (comp,) = risk.side_by_side("low_dose")
    ids = [r["id"] for r in comp["rows"]]
    assert ids[0] == "taskforce-osteoporosis" and "aaoms2022-osteoporosis-denosumab" in ids
    assert comp["standing"] == "contested"
    for row in comp["rows"]:
        assert row["period"] and row["source"] and row["evidence"]
    tf = comp["rows"][0]
    assert "not stated" in tf["period"] and not tf["reported_only"]
    assert all(r["reported_only"] for r in comp["rows"][1:])          # AAOMS 2022 figures: reported only
    # never an answer key: the comparison is contested and the 2022 rows are unverified
    assert knowledge.answer_key_problems(["osteoporosis-taskforce-vs-aaoms2022"])


def test_oncology_side_by_side_says_which_figure_is_per_year():
    comp = next(c for c in risk.side_by_side("oncology") if c["id"] == "oncology-taskforce-vs-mascc")
    dmab = next(r for r in comp["rows"] if r["id"] == "mascc-denosumab-oncology")
    assert "cumulative" in dmab["period"] and "a year" in dmab["period"]


def test_assess_carries_the_side_by_side_for_its_group():
    case = _case("osteoporosis", {"drug": "denosumab", "months": 24, "current": True})
    out = risk.assess(case)
    assert out.group == "low_dose"
    assert out.side_by_side[0]["id"] == "osteoporosis-taskforce-vs-aaoms2022"


def test_oncology_vs_osteoporosis_ratio_compares_like_with_like():
    """Review W4: the course taught a '1,500x' ratio by dividing the ends of two ranges of unstated period.
    The ratio now comes from one measure in one source (risk after an extraction, AAOMS 2022 as quoted)."""
    entry = knowledge.find("oncology-vs-osteoporosis", "risk")
    after = {e["id"]: e for e in knowledge.load("risk")["after_extraction"]}
    onc, op = (after[i] for i in entry["compared"])
    assert onc["group"] == "oncology" and op["group"] == "low_dose"
    assert entry["ratio_low"] == pytest.approx(onc["low_percent"] / op["high_percent"], rel=1e-3)
    assert entry["ratio_high"] == pytest.approx(onc["high_percent"] / op["high_percent"], rel=1e-3)
    assert 5 < entry["ratio_low"] < entry["ratio_high"] < 150          # tens to about 100-fold
    assert "10 to 100 times" in entry["text"] and "overstates" in entry["text"]


def test_denosumab_against_zoledronate_is_the_integrated_phase_three_analysis():
    """Review W3: Saad 2012 gives 1.8% (denosumab) vs 1.3% (zoledronic acid), P = 0.13; never 1.1% vs 1.3%."""
    est = {e["id"]: e for e in knowledge.load("risk")["estimates"]}
    assert (est["saad2012-denosumab"]["high_percent"], est["saad2012-zoledronate"]["high_percent"]) == (1.8, 1.3)
    assert est["saad2012-denosumab"]["p_value"] == 0.13
    comp = next(c for c in risk.side_by_side("oncology") if c["id"] == "oncology-denosumab-vs-zoledronate")
    assert "P = 0.13" in comp["text"] and "not significant" in comp["text"]
    assert {r["id"] for r in comp["rows"]} >= {"saad2012-denosumab", "saad2012-zoledronate"}
    for course in risk.time_courses("oncology"):                          # no curve puts denosumab below
        pts = course["points"]
        if "denosumab" in pts and "zoledronate" in pts:
            assert pts["denosumab"][-1]["percent"] >= pts["zoledronate"][-1]["percent"], course["id"]
    assert all(p.get("measure", "cumulative_incidence") != "cumulative_incidence" or "rheumatologist_review"
               not in p["source"] for p in risk.time_courses("oncology"))


def test_swog_s0702_gives_zoledronate_cumulative_incidence_by_year():
    swog = next(c for c in risk.time_courses("oncology") if c["id"] == "swog-s0702-cumulative")
    assert [(p["years"], p["percent"]) for p in swog["points"]["zoledronate"]] == [(1, 0.8), (2, 2.0), (3, 2.8)]
    assert swog["source"] == ["swog_s0702"] and swog["evidence"] == "cohort"
    rng = risk.baseline_range("zoledronate", "oncology")
    assert "swog_s0702" in rng.source and rng.low_percent <= 2.8 <= rng.high_percent


@pytest.mark.parametrize("years, beyond", [(1, False), (3.9, False), (4, True), (7, True)])
def test_oral_bisphosphonate_duration_gradient(years, beyond):
    """Review W4: risk rises with time on oral bisphosphonate (about 4 years in the recommendations)."""
    out = risk.assess(_case("osteoporosis", {"drug": "alendronate", "months": years * 12}))
    dd = out.dose_and_duration
    assert dd["beyond_threshold"] is beyond and dd["gradient"]["threshold_years"] == 4
    assert "park2021_duration" in dd["gradient"]["source"] and "2.36" in dd["gradient"]["text"]
    iv = risk.assess(_case("osteoporosis", {"drug": "zoledronate", "months": 60, "dose_mg": 5,
                                            "every_days": 365, "route": "iv"}))
    assert "gradient" not in iv.dose_and_duration                     # the gradient is for oral use


def test_reported_aaoms_2022_osteoporosis_figures_carry_their_period_label():
    for e in risk.unverified_estimates():
        assert "period" in e and "not verified" in " ".join(e["period"].split())


@pytest.mark.parametrize("med, expected", [
    ({"drug": "zoledronate", "months": 6, "dose_mg": 4, "every_days": 28, "route": "iv"}, "oncology"),
    ({"drug": "zoledronate", "months": 6, "dose_mg": 4, "every_days": 84}, "oncology"),
    ({"drug": "zoledronate", "months": 6, "dose_mg": 4, "every_days": 180}, "adjuvant"),
    ({"drug": "zoledronate", "months": 6, "dose_mg": 5, "every_days": 365}, "low_dose"),
    ({"drug": "denosumab", "months": 6, "dose_mg": 120, "every_days": 28}, "oncology"),
    ({"drug": "denosumab", "months": 6, "dose_mg": 60, "every_days": 182}, "low_dose"),
    ({"drug": "alendronate", "months": 6, "dose_mg": 70, "every_days": 7}, "low_dose"),
    ({"drug": "pamidronate", "months": 6, "dose_mg": 30, "every_days": 90}, None),   # no catalogue regimen
    ({"drug": "zoledronate", "months": 6}, None),                                      # no dose given
    ({"drug": "zoledronate", "months": 6, "dose_mg": 4, "every_days": 28, "route": "sc"}, None),
])
def test_regimen_group_resolves_dose_and_interval(med, expected):
    """The risk table's group from the dose (rules.risk_regimen_group, the one resolver)."""
    case = _case("other", med)
    assert rules.risk_regimen_group(case.medications[0]) == expected


@given(dose=st.one_of(st.none(), st.sampled_from([1.0, 4.0, 5.0, 30.0, 60.0, 90.0, 120.0])),
       every=st.one_of(st.none(), st.sampled_from([7.0, 28.0, 90.0, 182.0, 365.0])),
       drug=st.sampled_from(["zoledronate", "pamidronate", "denosumab", "alendronate", "ibandronate"]))
def test_basis_never_says_no_dose_given_when_a_dose_was_given(dose, every, drug):
    """Review W6: the basis said 'no dose given' for a child whose dose was given."""
    med = {"drug": drug, "months": 12, **({"dose_mg": dose} if dose is not None else {}),
           **({"every_days": every} if every is not None else {})}
    out = risk.assess(_case("other", med))
    text = json.dumps(out.to_dict())
    if dose is not None:
        assert "no dose given" not in text
    for e in out.exposures:
        if e["range"] and e["range"]["fallback"] and e["range"]["id"].startswith("span-"):
            assert ("no dose given" in e["range"]["basis"]) is (dose is None)
