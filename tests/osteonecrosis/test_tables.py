"""Display tables built from knowledge entries: every row cited, unverified rows flagged, numbers from data."""

from __future__ import annotations

import datetime as dt

import pytest
from osteonecrosis import knowledge, management, tables
from osteonecrosis.staging_quiz import EXERCISE_CASES


def _body(table: tables.Table) -> list[str]:
    return [ln for ln in table.markdown.splitlines() if ln.startswith("| ") and not ln.startswith("| Stage |")][1:]


def test_markdown_table_escapes_and_checks_widths() -> None:
    t = tables.markdown_table(["A", "B"], [["x|y", None], [[1, 2.50], True]], caption="Cap")
    assert t.markdown.splitlines()[0] == "**Cap**"
    assert "| x\\|y | – |" in t.markdown and "| 1; 2.5 | yes |" in t.markdown
    assert t.rows == 2 and t._repr_markdown_() == t.markdown
    with pytest.raises(ValueError, match="2 cells for 3 headers"):
        tables.markdown_table(["a", "b", "c"], [[1, 2]])


def test_sources_cell_flags_unverified() -> None:
    verified = {"source": ["sim2020"], "evidence": "trial"}
    assert tables.sources(verified) == "[sim2020] · trial"
    assert tables.REPORTED in tables.sources({"source": "aaoms2022", "evidence": "unverified"})
    assert tables.REPORTED in tables.sources({"source": "marx1985", "evidence": "trial"})  # unverified source


@pytest.mark.parametrize("build", [
    tables.case_definition_table, tables.aaoms_stages_table, tables.stage3_features_table,
    tables.nonspecific_signs_table, tables.management_side_by_side, tables.hbo_table, tables.adjuncts_table,
    tables.surgical_protocol_table, tables.drug_holiday_table, tables.sicmf_stages_table,
    lambda: tables.diagnosis_table("imaging"), lambda: tables.diagnosis_table("differential"),
])
def test_every_row_names_a_registered_source(build) -> None:
    table = build()
    assert table.rows > 0
    registry = knowledge.references()
    for line in table.markdown.splitlines()[4 if table.markdown.startswith("**") else 2:]:
        keys = [part.split("]")[0] for part in line.split("[")[1:]]
        assert keys, f"row without a source: {line}"
        assert all(k in registry for k in keys), line


def test_stage_tables_follow_the_knowledge_base() -> None:
    stages = knowledge.load("staging")["aaoms2022"]["stages"]
    text = tables.aaoms_stages_table().markdown
    assert all(s["label"] in text for s in stages)
    assert tables.stage3_features_table().rows == len(knowledge.load("staging")["aaoms2022"]["stage3_features"])


def test_management_side_by_side_labels_the_seed_as_a_series() -> None:
    text = tables.management_side_by_side().markdown
    assert "19-case series, not a guideline" in text
    seed = management.seed_scheme("3")["action"]
    assert seed in text
    assert text.count("(not covered)") == 2  # at risk and stage 0: the seed says nothing
    assert "superseded, history" in text and "AAOMS 2022 (current standard)" in text


def test_hbo_table_shows_the_unsupported_60_sessions() -> None:
    text = tables.hbo_table().markdown
    row60 = next(ln for ln in text.splitlines() if "60 or more" in ln)
    assert "| no |" in row60
    row_rct = next(ln for ln in text.splitlines() if ln.startswith("| Freiberger 2012"))
    assert "2 ATA" in row_rct and "| 40 |" in row_rct and "2 sessions a day" in row_rct
    assert "20 before + 10 after = 30" in text


def test_adjuncts_table_teaches_sim_not_kim() -> None:
    text = tables.adjuncts_table().markdown
    assert "Sim 2020" in text and "not 'Kim'" in text
    assert "92% versus 83%" in text  # L-PRF trial, from management.yaml


def test_drug_holiday_table_orders_guidelines_historically() -> None:
    text = tables.drug_holiday_table().markdown
    order = ["AAOMS 2009", "AAOMS 2014", "AAOMS 2022", "SDCEP 2017", "ECTS 2022", "MASCC/ISOO/ASCO 2019"]
    firsts = [text.index(f"| {g} |") for g in order]
    assert firsts == sorted(firsts)
    assert "(no guideline)" not in text


def test_denosumab_window_table_has_real_dates() -> None:
    text = tables.denosumab_window_table(dt.date(2026, 1, 15)).markdown
    assert "2026-07-15" in text  # scheduled next dose, 6 months later
    assert "2026-06-15 to 2026-07-15" in text  # ECTS: 5 to 6 months after the last injection
    assert "2026-06-15 to 2026-07-14" in text  # SDCEP: the month before the next dose
    assert "2026-08-12" in text  # ECTS: no more than 4 weeks late


def test_aaoms_vs_sicmf_shows_the_disagreement() -> None:
    text = tables.aaoms_vs_sicmf(EXERCISE_CASES).markdown
    short = next(ln for ln in text.splitlines() if "six weeks" in ln)
    # no 8-week rule in SICMF-SIPMO
    assert "| Suspected MRONJ (does not yet meet the 8-week definition) | 1A |" in short
    zero = next(ln for ln in text.splitlines() if "numb lip" in ln)
    assert "| Stage 0 | unconfirmed |" in zero  # no CT change, no SICMF-SIPMO stage


def test_section_and_text_tables() -> None:
    dose = tables.section("other_osteonecrosis", "osteoradionecrosis", "dose")
    assert tables.text_entries_table(dose).rows == len(dose)
    with pytest.raises(KeyError, match="no section 'nope'"):
        tables.section("other_osteonecrosis", "nope")
    with pytest.raises(ValueError, match="imaging"):
        tables.diagnosis_table("therapy")


def test_diagnosis_knowledge_is_sound() -> None:
    problems = [p for path, e in knowledge.iter_entries(knowledge.load("diagnosis"), "diagnosis")
                for p in knowledge.entry_problems(path, e)]
    assert problems == []
    names = [e["name"] for e in knowledge.load("diagnosis")["differential"]]
    assert "Osteoradionecrosis" in names and "Metastasis to the jaw" in names


def test_seed_claims_table_sets_claim_beside_verdict_and_audit() -> None:
    text = tables.seed_claims_table(["es-wonder-rinse", "fr-curettage-74"]).markdown
    wonder = next(ln for ln in text.splitlines() if "Wonder" in ln)
    assert "**unsupported**" in wonder and "[magic_mouthwash]" in wonder and "*(Spanish seed)*" in wonder
    curettage = next(ln for ln in text.splitlines() if "curettage" in ln)
    assert "**misattributed**" in curettage and "mailed pain questionnaire" in curettage
    # an audit with an unverified note keeps the note, flagged as reported
    assert tables.REPORTED in tables.seed_claims_table(["es-stage-based-surgery"]).markdown
    with pytest.raises(KeyError, match="no claim 'nope'"):
        tables.seed_claims(["nope"])
