"""The seed audit and the pathophysiology data: every seed claim sits beside a cited audit."""

from __future__ import annotations

import pytest
from osteonecrosis import knowledge

AUDIT = knowledge.load("seed_audit")
CLAIMS = AUDIT["claims"] + AUDIT["evidence_map_claims"]
VERDICTS = set(AUDIT["verdicts"]["values"])


@pytest.mark.parametrize("claim", CLAIMS, ids=[c["id"] for c in CLAIMS])
def test_every_claim_has_a_cited_audit(claim):
    assert claim["evidence"] == "seed_claim" and claim["claim"] and claim["quote_ref"]
    audit = claim["audit"]
    assert audit["verdict"] in VERDICTS
    assert audit["evidence"] not in ("seed_claim", "unverified")
    keys = knowledge.source_keys(audit)
    assert keys and not {"seed_fr", "seed_es"} & set(keys), "an audit must not cite the seed it audits"
    for key in keys:
        assert knowledge.reference(key).verification != "unverified", (claim["id"], key)
    note = audit.get("unverified_note")
    if note:
        assert note["evidence"] == "unverified" and not note.get("answer")


def test_seed_claims_cite_their_seed():
    for claim in AUDIT["claims"]:
        assert knowledge.source_keys(claim) == [{"fr": "seed_fr", "es": "seed_es"}[claim["seed"]]]
        assert claim["quote_ref"].startswith({"fr": "seed 000 (French)", "es": "seed 001 (Spanish)"}[claim["seed"]])


@pytest.mark.parametrize(("claim_id", "verdict", "must_mention"), [
    ("fr-curettage-74", "misattributed", "mailed pain questionnaire"),
    ("fr-third-elsewhere", "partly_correct", "NEW foci"),
    ("fr-contralateral-hip", "partly_correct", "hip statistic"),
    ("fr-anticoagulant-response", "partly_correct", "case reports only"),
    ("fr-nutrition-detox", "unsupported", "None of the guidelines read"),
    ("es-hbo-protocol", "partly_correct", "'60 or more sessions' is prescribed by no"),
    ("es-wonder-rinse", "unsupported", "mucositis"),
    ("es-stage-based-surgery", "partly_correct", "19 patients"),
    ("es-risk-benefit", "correct", "prescriber"),
    ("map-8-week-definition", "correct", "immune modulators"),
    ("map-kim-teriparatide", "misattributed", "Sim"),
])
def test_key_audits(claim_id, verdict, must_mention):
    claim = next(c for c in CLAIMS if c["id"] == claim_id)
    text = " ".join(claim["audit"]["text"].split())
    assert claim["audit"]["verdict"] == verdict
    assert must_mention in text


def test_every_seed_paragraph_is_audited():
    fr = [c for c in AUDIT["claims"] if c["seed"] == "fr"]
    es = [c for c in AUDIT["claims"] if c["seed"] == "es"]
    for n in (1, 2, 3):
        assert any(f"paragraph {n}" in c["quote_ref"] or f"paragraphs {n}" in c["quote_ref"] for c in fr), n
    for part in ("paragraph 1", "paragraph 2", "paragraph 3", "paragraph 4", "conclusion"):
        assert any(part in c["quote_ref"] for c in es), part


def test_pathophysiology_covers_the_hypotheses_and_the_seed_mechanism():
    data = knowledge.load("pathophysiology")
    ids = {h["id"] for h in data["hypotheses"]}
    assert {"hyp-remodelling-suppression", "hyp-infection-biofilm", "hyp-angiogenesis",
            "hyp-soft-tissue-toxicity", "hyp-immune-dysfunction", "hyp-genetics"} <= ids
    infection = next(h for h in data["hypotheses"] if h["id"] == "hyp-infection-biofilm")
    assert "Actinomyces" in infection["text"]
    ischemic = data["ischemic_mechanism"]
    assert ischemic["seed"]["evidence"] == "seed_claim"
    assert ischemic["audit"]["verdict"] == "disputed"
