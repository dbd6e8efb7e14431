"""Provenance of the knowledge base: every entry cites registry keys and has an evidence status."""

from __future__ import annotations

import re

import pytest
import yaml
from osteonecrosis import knowledge
from osteonecrosis.knowledge import EVIDENCE_STATUSES, entry_problems


def test_knowledge_base_is_sound():
    problems = knowledge.validate()
    assert problems == [], "\n".join(problems)


def test_every_listed_file_exists_and_has_entries():
    for name in knowledge.FILES:
        path = knowledge.KNOWLEDGE_DIR / f"{name}.yaml"
        assert path.exists(), f"{name}.yaml is listed in knowledge.FILES but missing"
        assert list(knowledge.iter_entries(knowledge.load(name), name)), f"{name}.yaml has no entries"


def test_every_yaml_file_is_listed():
    on_disk = {p.stem for p in knowledge.KNOWLEDGE_DIR.glob("*.yaml")} - {"references"}
    assert on_disk == set(knowledge.FILES)


def test_references_are_well_formed():
    refs = knowledge.references()
    assert len(refs) >= 40
    for key, ref in refs.items():
        assert ref.verification in knowledge.VERIFICATION_LEVELS, key
        assert len(ref.citation) > 20, key


def test_registry_keys_are_unique_in_the_file():
    """YAML keeps the last of two equal keys silently: check the top-level keys of the text itself."""
    text = (knowledge.KNOWLEDGE_DIR / "references.yaml").read_text()
    keys = re.findall(r"^([A-Za-z0-9_]+):", text, flags=re.MULTILINE)
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert duplicates == []
    assert len(keys) == len(knowledge.references())


# --- the checker itself must catch what it promises to catch ---------------------------------------------

@pytest.mark.parametrize("entry, expected", [
    ({"id": "x", "evidence": "guideline"}, "no source"),
    ({"id": "x", "source": "no_such_key", "evidence": "guideline"}, "not in references.yaml"),
    ({"id": "x", "source": ["aaoms2022", "nope"], "evidence": "guideline"}, "not in references.yaml"),
    ({"id": "x", "source": "aaoms2022"}, "evidence None"),
    ({"id": "x", "source": "aaoms2022", "evidence": "rumour"}, "evidence 'rumour'"),
    ({"id": "x", "source": "aaoms2022", "evidence": "unverified", "answer": True}, "answer-bearing"),
    ({"id": "x", "source": "marx1985", "evidence": "trial", "answer": True}, "unverified source 'marx1985'"),
])
def test_entry_checker_catches(entry, expected):
    problems = entry_problems("test:x", entry)
    assert any(expected in p for p in problems), problems


def test_sound_entry_passes_the_checker():
    assert entry_problems("t", {"id": "x", "source": ["aaoms2022"], "evidence": "guideline", "answer": True}) == []


def test_nested_entries_are_found():
    data = {"a": [{"id": "outer", "source": "aaoms2022", "evidence": "guideline",
                   "regimens": [{"id": "inner"}]}]}
    paths = [p for p, _ in knowledge.iter_entries(data, "f")]
    assert paths == ["f.a[0]:outer", "f.a[0].regimens[0]:inner"]


def test_no_answer_rests_on_unverified_sources():
    refs = knowledge.references()
    for path, entry in knowledge.all_entries():
        if entry.get("answer"):
            assert entry["evidence"] != "unverified", path
            for key in knowledge.source_keys(entry):
                assert refs[key].verification != "unverified", path


def test_evidence_statuses_cover_the_issue_list():
    for status in ("guideline", "trial", "series", "expert_opinion", "seed_claim", "unverified"):
        assert status in EVIDENCE_STATUSES


def test_bibliography_renders_and_rejects_unknown_keys():
    text = knowledge.bibliography(["aaoms2022", "sim2020", "aaoms2022"])
    assert text.count("\n") == 1 and "Ruggiero" in text and "Sim IW" in text
    with pytest.raises(knowledge.KnowledgeError, match="unknown source key"):
        knowledge.bibliography(["nope"])


def test_cite_gives_citations_and_evidence():
    entry = knowledge.find("mronj-case-definition", "staging")
    cited = knowledge.cite(entry)
    assert cited["source"] == ["aaoms2022", "mascc2019"] and cited["evidence"] == "guideline"
    assert all(c for c in cited["citations"])


def test_design_drug_catalogue_has_regimens_and_half_lives():
    for drug in knowledge.load("drugs")["drugs"]:
        assert drug["class"] and drug["mechanism"], drug["id"]
        assert drug["half_life"]["kind"] in {"skeletal", "serum", "plasma"}, drug["id"]
        for reg in drug["regimens"]:
            assert reg["route"] in {"oral", "iv", "sc"} and reg["every_days"] > 0 and reg["dose_mg"] > 0


# --- standing: current | superseded | contested (issue 10) ----------------------------------------------

@pytest.mark.parametrize("entry, expected", [
    ({"id": "x", "source": "aaoms2022", "evidence": "guideline", "standing": "old"}, "standing 'old'"),
    ({"id": "x", "source": "aaoms2009", "evidence": "guideline", "standing": "superseded"},
     "without superseded_by"),
    ({"id": "x", "source": "sdcep2017", "evidence": "guideline", "standing": "contested"}, "needs positions"),
    ({"id": "x", "source": "sdcep2017", "evidence": "guideline", "standing": "contested",
      "positions": [{"says": "a", "source": "sdcep2017", "evidence": "guideline"}, {"says": "b"}]},
     "positions[1]: no source"),
    ({"id": "x", "source": "sdcep2017", "evidence": "guideline", "standing": "contested",
      "positions": [{"says": "a", "source": "sdcep2017", "evidence": "guideline"},
                    {"says": "b", "source": "sdcep2017", "evidence": "hearsay"}]},
     "positions[1]: evidence 'hearsay'"),
    ({"id": "x", "source": "aaoms2009", "evidence": "guideline", "standing": "superseded",
      "superseded_by": "aaoms2022", "answer": True}, "answer-bearing entry is superseded"),
    ({"id": "x", "source": "sdcep2017", "evidence": "guideline", "standing": "contested", "correct": True,
      "positions": [{"says": "a", "source": "sdcep2017", "evidence": "guideline"},
                    {"says": "b", "source": "aaoms2022", "evidence": "guideline"}]},
     "answer-bearing entry is contested"),
])
def test_standing_checker_catches(entry, expected):
    problems = entry_problems("test:x", entry)
    assert any(expected in p for p in problems), problems


def test_no_answer_key_rests_on_a_superseded_or_contested_entry():
    offenders = [path for path, entry in knowledge.all_entries()
                 if knowledge.is_answer(entry) and entry.get("standing", "current") != "current"]
    assert offenders == []


def test_every_standing_is_known_and_documented():
    counts = {s: 0 for s in knowledge.STANDINGS}
    for path, entry in knowledge.all_entries():
        value = entry.get("standing", "current")
        assert value in knowledge.STANDINGS, path
        counts[value] += 1
        if value == "superseded":
            assert entry["superseded_by"], path
        if value == "contested":
            assert len(entry["positions"]) >= 2, path
    assert counts["superseded"] >= 1 and counts["contested"] >= 1, counts


def test_standing_api_for_the_assignment_side():
    assert knowledge.standing("crit-exposure") == "current"
    contested = next(e["id"] for _, e in knowledge.all_entries() if e.get("standing") == "contested")
    superseded = next(e["id"] for _, e in knowledge.all_entries() if e.get("standing") == "superseded")
    assert knowledge.standing(contested) == "contested"
    detail = knowledge.standing_detail(contested)
    assert len(detail["positions"]) >= 2 and all(p["source"] and p["evidence"] for p in detail["positions"])
    assert knowledge.standing_detail(superseded)["superseded_by"]
    assert knowledge.answer_key_problems(["crit-exposure"]) == []
    problems = knowledge.answer_key_problems([contested, superseded, "no-such-entry"])
    assert any(p.startswith(f"{contested}: contested") for p in problems), problems
    assert any(p.startswith(f"{superseded}: superseded") for p in problems), problems
    assert any("no-such-entry" in p for p in problems), problems


# --- Issue 17 item 4: sources honest about how they were read ---------------------------------------------
def _raw_references() -> dict:
    return yaml.safe_load((knowledge.KNOWLEDGE_DIR / "references.yaml").read_text(encoding="utf-8"))


def test_nothing_read_second_hand_is_marked_verified():
    """A source read in a secondary text (read_in says where) is 'secondary' or 'unverified', never
    'verified'; a web page (blog, wiki, clinic page, news) is never 'verified' except as the record of what
    a seed says (verified_as)."""
    for key, ref in _raw_references().items():
        if ref.get("read_in"):
            assert ref["verification"] != "verified", key
        if ref["kind"] == "web" and not ref.get("verified_as"):
            assert ref["verification"] != "verified", key


@pytest.mark.parametrize("key", ["takao_forum2022", "wikidoc_onj_surgery", "marx_protocol", "uhms",
                                 "orn_grading_traditional", "denosumab_label", "mascc2019", "nico_controversy"])
def test_sources_the_review_found_read_second_hand_are_secondary(key):
    assert knowledge.reference(key).verification == "secondary"


def test_the_aaoms_2022_management_position_never_rests_on_a_verified_blog():
    entries = [e for _, e in knowledge.iter_entries(knowledge.load("management"), "management")]
    blog = [e for e in entries if "takao_forum2022" in knowledge.source_keys(e)]
    assert blog and all(knowledge.reference("takao_forum2022").verification != "verified" for _ in blog)


def _all_text(name: str) -> str:
    return " ".join((knowledge.KNOWLEDGE_DIR / f"{name}.yaml").read_text(encoding="utf-8").split())


def test_hbo_sixty_sessions_text_matches_the_series_that_used_up_to_84():
    """Review: 'no series used 60 HBO sessions' was wrong; an ORN series gave 9-84 sessions (McKenzie 1993)."""
    for name in ("management", "seed_audit"):
        text = _all_text(name)
        assert not re.search(r"no (trial, )?series[^.]*used 60", text, re.I), name
    seed60 = knowledge.find("hbo-seed-60", "management")
    assert "mckenzie1993" in knowledge.source_keys(seed60) and "9 to 84" in seed60["support"]


def test_lprf_trial_is_not_called_the_first_controlled_study():
    """Review: Giudice 2018 (47 patients, PRF) came before Ramos 2025; no text calls Ramos the first trial."""
    for name in ("management", "simulation", "seed_audit"):
        assert not re.search(r"first randomi[sz]ed", _all_text(name), re.I), name
    giudice = knowledge.find("lprf-giudice2018", "management")
    assert giudice["patients"] == 47 and knowledge.source_keys(giudice) == ["giudice2018"]


def _walk_find(entry_id, name=None):
    """find() as a walk from the top of the data: the first entry with this id."""
    for _path, entry in knowledge.iter_entries(knowledge.load(name), name) if name else knowledge.all_entries():
        if entry["id"] == entry_id:
            return entry
    return None


def test_find_gives_the_entry_a_walk_from_the_top_finds_first():
    """find() answers from an index: for every id of every file (searched in that file and in all) it is the very
    entry (the same object) a walk from the top finds first, and an id that is nowhere raises KnowledgeError."""
    ids = [(name, entry["id"]) for name in knowledge.FILES
           for _p, entry in knowledge.iter_entries(knowledge.load(name))]
    assert len(ids) > 100
    for name, entry_id in ids:
        assert knowledge.find(entry_id, name) is _walk_find(entry_id, name), (name, entry_id)
        assert knowledge.find(entry_id) is _walk_find(entry_id), entry_id
    for missing in ("no_such_entry", "", 0, ("tuple",), ["list"]):
        with pytest.raises(knowledge.KnowledgeError, match="no knowledge entry"):
            knowledge.find(missing)
    with pytest.raises(knowledge.KnowledgeError):
        knowledge.find(ids[0][1], "no_such_file")


def test_find_follows_the_data_load_returns(monkeypatch):
    """The index is rebuilt when load() hands out other data (a cleared cache, another knowledge folder)."""
    name, first = "drugs", knowledge.load("drugs")
    some_id = next(entry["id"] for _p, entry in knowledge.iter_entries(first))
    assert knowledge.find(some_id, name) is _walk_find(some_id, name)
    real = knowledge._read_yaml
    replaced = {"entries": [{"id": some_id, "n": 1}, {"id": some_id, "n": 2, "sub": [{"id": some_id, "n": 3}]}]}
    monkeypatch.setattr(knowledge, "_read_yaml", lambda n: replaced if n == name else real(n))
    assert knowledge.find(some_id, name) == {"id": some_id, "n": 1}  # the first of three with that id
    assert knowledge.find(some_id) is _walk_find(some_id)  # the first in FILES order, across the files
