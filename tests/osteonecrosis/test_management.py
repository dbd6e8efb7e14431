"""Management knowledge and its functions: the AAOMS table, the 2022 shift, the seed's scheme, adjuncts, HBO."""

from __future__ import annotations

import json

import pytest
from osteonecrosis import knowledge, management

TEXT_KEYS = ("action", "text", "claim")


def assert_cited(item: dict) -> None:
    """An item carries an id, some text, resolving sources, matching citations and a valid evidence status."""
    assert item.get("id"), item
    assert any(item.get(k) for k in TEXT_KEYS), f"{item['id']}: no action/text/claim"
    assert item["source"], f"{item['id']}: no source"
    for key in item["source"]:
        assert key in knowledge.references(), f"{item['id']}: source {key!r} does not resolve"
    assert item["citations"] == [knowledge.reference(k).citation for k in item["source"]]
    assert item["evidence"] in knowledge.EVIDENCE_STATUSES, f"{item['id']}: evidence {item['evidence']!r}"
    assert item["unverified"] == (
        item["evidence"] == "unverified"
        or any(knowledge.reference(k).verification == "unverified" for k in item["source"])
    )
    json.dumps(item)


def test_knowledge_base_is_sound():
    assert knowledge.validate() == []


def test_management_and_prevention_answer_keys_never_rest_on_unverified_material():
    for name in ("management", "prevention"):
        entries = list(knowledge.iter_entries(knowledge.load(name), name))
        assert len(entries) > 20
        for path, entry in entries:
            if entry.get("answer"):
                assert entry["evidence"] != "unverified", path
                for key in knowledge.source_keys(entry):
                    assert knowledge.reference(key).verification != "unverified", path


@pytest.mark.parametrize("code", management.STAGE_CODES)
def test_stage_actions_are_current_aaoms_2022_items(code):
    items = management.stage_actions(code)
    assert items
    for item in items:
        assert_cited(item)
        assert item["evidence"] == "guideline" and "aaoms2022" in item["source"]
        assert item["standing"] == "current" and item["stage"] == code


@pytest.mark.parametrize("code", management.STAGE_CODES)
def test_the_2009_2014_table_is_history_marked_superseded(code):
    items = management.history_stage_actions(code)
    assert items
    for item in items:
        assert_cited(item)
        assert set(item["source"]) == {"aaoms2009", "aaoms2014"}
        assert item["standing"] == "superseded" and not item.get("answer")
        assert knowledge.standing(item["id"]) == "superseded"


def test_stage_actions_follow_aaoms_2022():
    def text(code):
        return " ".join(i["action"] for i in management.stage_actions(code)).lower()

    assert "no treatment" in text("at_risk")
    assert "pain" in text("0") and "antibiotics" in text("0")
    for code in ("1", "2"):       # operative and nonoperative both acceptable, by shared decision
        assert "nonoperative" in text(code) and "operative care" in text(code) and "resection" in text(code)
    assert "resection" in text("3") and "nonoperative" in text("3")


def test_history_table_keeps_resection_for_stage_3_only():
    def text(code):
        return " ".join(i["action"] for i in management.history_stage_actions(code)).lower()

    assert "every 3 months" in text("1") and "resection" not in text("2") and "resection" in text("3")


def test_stage_code_accepts_ints_and_rejects_unknown_stages():
    assert management.stage_actions(2) == management.stage_actions("2")
    for bad in ("4", "stage 2", "not_mronj", None, True):
        with pytest.raises(ValueError, match="stage"):
            management.stage_actions(bad)


def test_aaoms2022_shift_lists_the_operative_options():
    for code in ("1", "2", "3"):
        items = management.aaoms2022_shift(code)
        assert items and all(i["standing"] == "current" and "aaoms2022" in i["source"] for i in items)
    assert management.aaoms2022_shift("at_risk") == []
    assert "operative care" in management.aaoms2022_shift("2")[0]["action"].lower()
    assert "resection" in management.aaoms2022_shift("3")[0]["action"]


def test_surgical_outcomes_carry_their_definitions_and_are_not_comparable():
    out = {i["id"]: i for i in management.surgery_outcomes()}
    assert "success" in out["surgery-stage2-success"]["outcome"]
    assert "improvement" in out["surgery-pooled-1137"]["outcome"]
    assert out["surgery-stage2-success"]["population"] != out["surgery-pooled-1137"]["population"]
    assert "cannot be set against" in out["surgery-outcomes-not-comparable"]["text"]


def test_surgery_evidence_numbers():
    ev = {i["id"]: i for i in management.surgery_evidence()}
    for item in ev.values():
        assert_cited(item)
        assert not item["unverified"]
    assert (ev["surgery-stage2-success"]["surgical_success_percent"],
            ev["surgery-stage2-success"]["nonsurgical_success_percent"]) == (89.3, 33.3)
    cohort = ev["surgery-conservative-first-cohort"]
    assert cohort["cure_percent"] == 45.7
    assert cohort["cumulative_cure_percent"] == {"12": 25.8, "36": 50.8, "60": 72.4}
    pooled = ev["surgery-pooled-1137"]
    assert (pooled["patients"], pooled["conservative_surgery_adjuvant_percent"],
            pooled["aggressive_surgery_only_percent"]) == (1137, 91, 72)


@pytest.mark.parametrize("code,word", [("1", "medical"), ("2", "sequestrectomy"), ("3", "mandibulectomy")])
def test_seed_scheme_is_labelled_as_one_series_never_a_guideline(code, word):
    scheme = management.seed_scheme(code)
    assert_cited(scheme)
    assert scheme["evidence"] == "seed_claim"
    assert scheme["is_guideline"] is False
    assert "19" in scheme["label"] and "not a guideline" in scheme["label"].lower()
    assert word in scheme["action"].lower()
    study = scheme["study"]
    assert_cited(study)
    assert (study["patients"], study["evidence"], study["results_retrieved"]) == (19, "series", False)
    assert study["source"] == ["diaz_reverand2018"]
    assert scheme["step"]["evidence"] == "seed_claim"


@pytest.mark.parametrize("code", ["at_risk", "0", "not_mronj", None])
def test_seed_scheme_has_no_action_outside_stages_1_to_3(code):
    scheme = management.seed_scheme(code)
    assert scheme["action"] is None
    assert "stages 1, 2 and 3" in scheme["note"]
    assert scheme["is_guideline"] is False


def test_every_adjunct_and_its_nested_items_are_cited():
    items = management.adjuncts()
    assert {i["id"] for i in items} >= {
        "adj-hbo", "adj-pento", "adj-teriparatide", "adj-lprf", "adj-pbm", "adj-rinse", "adj-antibiotics",
        "adj-wonder-rinse",
    }
    for item in items:
        assert_cited(item)
        for value in item.values():
            if isinstance(value, dict) and "id" in value:
                assert_cited(value)
            if isinstance(value, list):
                for sub in value:
                    if isinstance(sub, dict):
                        assert_cited(sub)


def test_wonder_rinse_is_flagged_as_a_mucositis_rinse_no_guideline_recommends():
    rinse = management.wonder_rinse()
    assert rinse["flag"] == "not_recommended_by_mronj_guidelines"
    assert rinse["evidence"] == "seed_claim"
    assert "magic_mouthwash" in rinse["source"] and "seed_es" in rinse["source"]
    assert "mucositis" in rinse["audit"] and "No MRONJ guideline" in rinse["audit"]
    assert "tetracycline" in rinse["action"]


def test_teriparatide_protocol_trial_and_the_kim_correction():
    t = management.adjunct("adj-teriparatide")
    p = t["protocol"]
    assert (p["dose_ug_per_day"], p["route"], p["weeks"]) == (20, "sc", 8)
    assert (p["resolved_percent_teriparatide"], p["resolved_percent_placebo"], p["follow_up_weeks"]) == (
        45.4, 33.3, 52)
    assert p["source"] == ["sim2020"] and p["evidence"] == "trial"
    assert "not 'Kim'" in t["correction"]["text"]
    assert t["caution"]["evidence"] == "label" and "metastases" in t["caution"]["text"]
    assert "teriparatide_label" in t["caution"]["source"]


def test_pentoxifylline_doses_and_evidence():
    pento = management.adjunct("adj-pento")
    assert (pento["protocol"]["pentoxifylline_mg_per_day"], pento["protocol"]["tocopherol_iu_per_day"]) == (800, 1000)
    assert pento["protocol"]["duration_months"] == [6, 24]
    assert (pento["pentoclo"]["clodronate_mg_per_day"], pento["pentoclo"]["clodronate_days_per_week"]) == (1600, 5)
    review = {s["id"]: s for s in pento["studies"]}["pento-mronj-review"]
    assert (review["studies_count"], review["patients"], review["improved_percent"]) == (5, 32, 90.6)


def test_lprf_pbm_and_antimicrobials():
    lprf = {s["id"]: s for s in management.adjunct("adj-lprf")["studies"]}["lprf-ramos2025"]
    assert (lprf["resolved_percent_lprf"], lprf["resolved_percent_control"], lprf["significant"]) == (92, 83, False)
    assert "Reviews only" in management.adjunct("adj-pbm")["audit"]
    rinse = management.adjunct("adj-rinse")
    assert rinse["evidence"] == "guideline" and rinse["product"]["evidence"] == "unverified"
    assert "0.12%" in rinse["product"]["text"]
    abx = management.adjunct("adj-antibiotics")
    assert abx["regimen"]["evidence"] == "unverified" and "penicillin" in abx["regimen"]["text"]
    with pytest.raises(KeyError, match="adj-nothing"):
        management.adjunct("adj-nothing")


def test_hbo_protocols_side_by_side():
    protocols = {p["id"]: p for p in management.hbo_protocols()}
    for p in protocols.values():
        assert_cited(p)
        for key in ("pressure_ata", "minutes", "sessions_before", "sessions_after", "sessions_total"):
            assert key in p
    marx = protocols["hbo-marx-prophylaxis"]
    assert (marx["pressure_ata"], marx["minutes"], marx["sessions_before"], marx["sessions_after"]) == (
        2.4, 90, 20, 10)
    fr = protocols["hbo-freiberger2012-rct"]
    assert (fr["pressure_ata"], fr["sessions_per_day"], fr["sessions_total"]) == (2.0, 2, 40)
    assert "high risk of bias" in fr["support"]
    assert protocols["hbo-dahanca21"]["pressure_kpa"] == 243


def test_hbo_sixty_sessions_flagged_unsupported_thirty_and_forty_supported():
    assert management.unsupported_hbo_schedules() == ["hbo-seed-60"]
    seed60 = management.hbo_protocol("hbo-seed-60")
    assert seed60["supported"] is False and "unsupported" in seed60["support"]
    assert management.hbo_protocol("hbo-seed-30")["supported"] is True
    assert management.hbo_sessions_total("hbo-seed-60") == 60


def test_hbo_sessions_total_and_chamber_hours():
    assert management.hbo_sessions_total("hbo-marx-prophylaxis") == 30
    assert management.hbo_sessions_total("hbo-freiberger2012-rct") == 40
    assert management.hbo_sessions_total("hbo-dahanca21") == 40
    assert management.hbo_sessions_total("hbo-marx-orn-stage1") == 40
    assert management.hbo_chamber_hours("hbo-marx-prophylaxis") == pytest.approx(45.0)
    with pytest.raises(ValueError, match="session length"):
        management.hbo_chamber_hours("hbo-freiberger2012-rct")
    with pytest.raises(KeyError, match="hbo-made-up"):
        management.hbo_sessions_total("hbo-made-up")


def test_hbo_definition_from_uhms():
    d = management.adjunct("adj-hbo")["definition"]
    assert (d["pressure_ata_more_than"], d["clinical_minimum_ata"]) == (1.0, 1.4)
    assert d["source"] == ["uhms"]


def test_drug_decision_belongs_to_the_prescriber():
    items = {i["id"]: i for i in management.drug_decision()}
    for item in items.values():
        assert_cited(item)
    assert items["drug-decision-prescriber"]["source"] == ["sdcep2017"]
    assert "prescriber" in items["drug-decision-prescriber"]["action"]
    assert items["drug-decision-seed"]["evidence"] == "seed_claim"
    assert "mascc2019" in items["drug-decision-mascc-reporting"]["source"]


def test_not_mronj_actions():
    items = management.not_mronj_actions(["jaw_radiotherapy", "short_exposure"])
    assert [i["id"] for i in items] == ["not-mronj-radiotherapy", "not-mronj-short"]
    assert "osteoradionecrosis" in items[0]["action"]
    assert items[1]["re_evaluate_after_weeks"] == 8
    for item in items:
        assert_cited(item)
    with pytest.raises(ValueError, match="reason"):
        management.not_mronj_actions(["bad_luck"])


def test_french_seed_ischemic_osteonecrosis_claims_carry_their_audits():
    items = {i["id"]: i for i in management.ischemic_osteonecrosis()}
    for item in items.values():
        assert_cited(item)
        assert item["claim"] and item["audit"]
    cur = items["ion-curettage"]
    assert cur["pain_abatement_percent"] == 74 and "not lesion healing" in cur["outcome"]
    assert "mailed" in cur["audit"]
    assert items["ion-repeat-surgery"]["local_recurrence_percent"] == 30
    assert (items["ion-coagulopathy-workup"]["patients"], items["ion-coagulopathy-workup"]["percent"]) == (49, 71)
    anticoag = items["ion-anticoagulation"]
    assert anticoag["evidence"] == "case_report" and "hip" in anticoag["audit"]
    assert "disputed" in items["ion-nico-disputed"]["audit"]
    assert items["ion-nutrition-detox"]["evidence"] == "seed_claim"


# --- issue 10: smaller points ---------------------------------------------------------------------------------

def test_hbo_thirty_sessions_is_not_said_to_match_dahanca21():
    seed30 = management.hbo_protocol("hbo-seed-30")
    assert "does not match DAHANCA-21" in seed30["support"] and "40" in seed30["support"]
    assert management.hbo_sessions_total("hbo-dahanca21") == 40


def test_zoledronate_renal_rules_are_split_by_dose():
    zol = next(d for d in knowledge.load("drugs")["drugs"] if d["id"] == "zoledronate")
    rules = {r["dose_mg"]: r for r in zol["renal_rules"]}
    assert "35" in rules[5]["text"] and rules[5]["evidence"] == "label"
    assert "35 mL/min does not apply" in " ".join(rules[4]["text"].split())
    assert "35" not in zol["mechanism"]
    assert "single" in zol["paget"]["text"]


def test_no_seed_audit_compares_the_two_surgical_figures_as_one_outcome():
    audit = " ".join(knowledge.find("seed-fr-bronj-conservative", "management")["audit"].split())
    assert "not to be compared" in audit and "superseded" in audit


# --- Issue 17: referral and osteoradionecrosis items -------------------------------------------------------------

def test_referral_and_osteoradionecrosis_items_are_cited():
    from osteonecrosis import management

    refer = management.referral_items()
    assert [i["id"] for i in refer] == ["refer-specialist"]
    orn = {i["id"]: i for i in management.radiotherapy_items()}
    assert set(orn) == {"orn-dose-to-site", "orn-specialist-team", "orn-hopon-no-prophylactic-hbo"}
    assert orn["orn-dose-to-site"]["dose_gy"] == 60 and "studer2015" in orn["orn-dose-to-site"]["source"]
    assert "hopon2019" in orn["orn-hopon-no-prophylactic-hbo"]["source"]
    for item in [*refer, *orn.values()]:
        assert_cited(item)


def test_as_item_returns_a_fresh_item_each_time():
    from osteonecrosis import knowledge, management

    entry = knowledge.load("prevention")["prophylaxis"]
    first = management.as_item(entry)
    first["positions"].append({"says": "changed"})
    first["source"].append("changed")
    second = management.as_item(entry)
    assert "changed" not in second["source"] and all(p["says"] != "changed" for p in second["positions"])
