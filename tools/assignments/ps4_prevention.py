"""Build solutions/ps4_prevention/ps4_prevention.ipynb (the nbgrader source).

Run: .venv/bin/python tools/assignments/ps4_prevention.py && make release && make check
Every clinical rule the notebook shows is rendered from knowledge/prevention.yaml at run time. Every expected
value is computed HERE with osteonecrosis.prevention and written into the tests as a literal (nothing a
student's code changes in the kernel can move it); rebuild after a change in the knowledge base.
Antibiotic cover for extractions is contested (SDCEP: evidence insufficient; Italian and German guidelines
reported to recommend it): it is never graded as a myth. AAOMS 2009 is history (superseded in 2014 and 2022).
"""
from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

from classroom.authoring import (
    TOTAL_PLACEHOLDER,
    answer,
    code,
    markdown,
    notebook,
    points_line,
    readonly,
    write,
    written,
)
from classroom.authoring import tests as _tests
from osteonecrosis import case_from_dict, knowledge, library_case, prevention

ID = "ps4_prevention"
OUT = Path(__file__).resolve().parents[2] / "solutions" / ID / f"{ID}.ipynb"

# Rule numbers shown in the text come from the knowledge base, not typed by hand.
ECTS = knowledge.find("dmab-ects2022", "prevention")
W_MIN, W_MAX = ECTS["next_injection_weeks_after_procedure"]
LATE = ECTS["max_delay_weeks"]
INTERVAL = ECTS["interval_months"]
AAOMS2014 = knowledge.find("holiday-aaoms2014", "prevention")  # unverified: shown, never marked
A14_MONTHS, A14_YEARS = AAOMS2014["holiday_months_before"], AAOMS2014["condition"]["years_more_than"]
CUTOFF = knowledge.find("prev-ctx-not-predictive", "prevention")["cutoff_pg_per_ml"]

# Each test cell imports what it uses; it reads nothing else from the student's kernel.
TEST_HEADER = """\
import datetime
import math
from datetime import date, timedelta

from osteonecrosis.exercises import answer_of, answered, as_date, as_id_list, as_number, missing_and_extra

"""


def tests(grade_id, source, points):
    """A test cell that imports its own helpers (expected values are literals written below)."""
    return _tests(grade_id, TEST_HEADER + source.strip("\n"), points)


PRETREATMENT = [e["id"] for e in knowledge.load("prevention")["pretreatment"] if e.get("answer")]
MENU_IDS = [*PRETREATMENT, "ctx-test", "antibiotic-cover"]
CONTESTED_ITEMS = {"antibiotic-cover"}  # taught as contested: never marked right or wrong in a checklist
ONC_CASE = library_case("onc-zoledronate-before-therapy")
ONC_EXPECTED = sorted({e["id"] for e in prevention.pretreatment_checklist(ONC_CASE)} & set(PRETREATMENT))
OP_CASE = case_from_dict({"indication": "osteoporosis", "medications": [
    {"drug": "alendronate", "months": 0, "current": True, "dose_mg": 70, "every_days": 7, "route": "oral"}]})
OP_EXPECTED = sorted({e["id"] for e in prevention.pretreatment_checklist(OP_CASE)} & set(PRETREATMENT))
SCENARIO_IDS = ["implant-zoledronate-4mg-monthly", "alveoloplasty-denosumab-120mg",
                "implant-alendronate-osteoporosis", "implant-denosumab-60mg-osteoporosis"]
LAST_INJECTION = library_case("op-denosumab-implant").medications[0].last_dose
ECTS_WINDOW = prevention.denosumab_window(LAST_INJECTION, "ects2022")
SDCEP_WINDOW = prevention.denosumab_window(LAST_INJECTION, "sdcep2017")
Q7_GRID = []
for _due in (date(2026, 9, 2), date(2027, 1, 31), date(2028, 2, 29)):
    _last = prevention.add_months(_due, -6)
    for _days in range(-31, 1):
        _proc = _due + timedelta(days=_days)
        _ref = prevention.ects_next_injection(_last, _proc)
        Q7_GRID.append((_proc.isoformat(), _due.isoformat(), _ref["next_injection_earliest"],
                        _ref["next_injection_latest"]))
ECTS_BP_DAYS = knowledge.find("holiday-ects2022-bp", "prevention")["pause_days_before_at_least"]
Q9_GRID = []
for _proc, _healed in ((date(2026, 3, 3), date(2026, 4, 14)), (date(2026, 1, 5), date(2026, 2, 16)),
                       (date(2027, 1, 2), date(2027, 2, 27)), (date(2028, 3, 4), date(2028, 4, 29)),
                       (date(2026, 12, 31), date(2027, 2, 11))):
    Q9_GRID.append((_proc.isoformat(), _healed.isoformat(), (_proc - timedelta(days=ECTS_BP_DAYS)).isoformat(),
                    _healed.isoformat()))
CTX = knowledge.find("prev-ctx-not-predictive", "prevention")
# The current, verified guideline positions a student may choose in Question 10 (AAOMS 2009 is history).
Q10_KEYS = ["sdcep2017", "ects2022", "mascc2019"]

FORBIDDEN: list[str] = ["osteonecrosis.prevention.pretreatment_checklist",
                        "osteonecrosis.prevention.denosumab_window",
                        "osteonecrosis.prevention.ects_next_injection",
                        "osteonecrosis.prevention.drug_holiday_positions"]
RESTS_ON: dict[str, list[str]] = {
    "ps4_q1_finish_first": ["pre-finish-necessary"],
    "ps4_q1_no_myths": ["prev-ctx-not-predictive"],
    "ps4_q1_complete": ONC_EXPECTED,
    "ps4_q2_not_oncology": ["pre-coordinated-plan", "pre-finish-necessary", "pre-sdcep-dentally-fit"],
    "ps4_q2_complete": OP_EXPECTED,
    "ps4_q3_written": ["pre-finish-necessary", "pre-coordinated-plan"],
    "ps4_q4_oncologic": ["during-no-elective-oncology"],
    "ps4_q4_alendronate_op": ["during-no-elective-oncology"],
    "ps4_q4_denosumab_op": ["during-no-elective-oncology"],
    "ps4_q4_alveoloplasty": ["during-no-elective-oncology"],
    "ps4_q5_window_start": ["dmab-ects2022"],
    "ps4_q5_window_end": ["dmab-ects2022"],
    "ps4_q6_after_injection": ["dmab-sdcep2017"],
    "ps4_q6_month_before": ["dmab-sdcep2017"],
    "ps4_q7_case": ["dmab-ects2022"],
    "ps4_q7_edges": ["dmab-ects2022"],
    "ps4_q8_written": ["dmab-ects2022", "dmab-sdcep2017"],
    "ps4_q9_case": ["holiday-ects2022-bp"],
    "ps4_q9_short": ["holiday-ects2022-bp"],
    "ps4_q9_grid": ["holiday-ects2022-bp"],
    "ps4_q10_bisphosphonate": ["holiday-sdcep2017", "holiday-mascc2019"],
    "ps4_q10_denosumab": ["dmab-ects2022", "dmab-sdcep2017"],
    "ps4_q11_true_positives": ["prev-ctx-not-predictive"],
    "ps4_q11_false_positives": ["prev-ctx-not-predictive"],
    "ps4_q12_written": ["holiday-sdcep2017", "prev-ctx-not-predictive"],
}

P = {  # points per graded cell
    "ps4_q1_finish_first": 1, "ps4_q1_no_myths": 1, "ps4_q1_complete": 1,
    "ps4_q2_not_oncology": 1, "ps4_q2_complete": 1,
    "ps4_q3_written": 3,
    "ps4_q4_oncologic": 1, "ps4_q4_alendronate_op": 1, "ps4_q4_denosumab_op": 1, "ps4_q4_alveoloplasty": 1,
    "ps4_q5_window_start": 1, "ps4_q5_window_end": 1,
    "ps4_q6_after_injection": 1, "ps4_q6_month_before": 1,
    "ps4_q7_case": 2, "ps4_q7_edges": 2,
    "ps4_q8_written": 2,
    "ps4_q9_case": 1, "ps4_q9_short": 1, "ps4_q9_grid": 1,
    "ps4_q10_bisphosphonate": 1, "ps4_q10_denosumab": 1,
    "ps4_q11_true_positives": 1, "ps4_q11_false_positives": 1,
    "ps4_q12_written": 4,
}


def q(*ids: str) -> int:
    return sum(P[i] for i in ids)


AUTO = sum(v for k, v in P.items() if "written" not in k)
MANUAL = sum(v for k, v in P.items() if "written" in k)

cells = []
add = cells.append

add(markdown(f"""
# Problem set 4: preventing MRONJ

*Time: about 75 minutes. Before you start: course notebooks 00 (primer) and 06 (prevention).*

{TOTAL_PLACEHOLDER}

You are the dentist in the team. In this problem set you apply the prevention protocols to patients of the
course's case library: what to do **before** a bone-modifying drug starts, which operations to avoid
**during** therapy, **when** to operate on a patient on denosumab (with real dates), and what each guideline
says about **drug holidays**, side by side.

**Learning objectives.** After this problem set you can

1. build the pre-treatment checklist for an oncology patient and for an osteoporosis patient, and say why they differ;
2. decide whether a planned implant or extraction falls under the MASCC/ISOO/ASCO 2019 advice against elective
   dentoalveolar surgery during oncologic-dose therapy;
3. compute, with dates, when to operate on a patient on denosumab 60 mg every 6 months and when to give the
   next injection (ECTS 2022 and SDCEP);
4. compare the guidelines' positions on drug holidays, and use only verified ones;
5. explain why a serum CTX value cannot tell you whether a patient will develop MRONJ.

**How to work.** Course notebook 6 (Prevention) teaches everything you need; the Python primer (notebook 0)
shows how to write lists, dictionaries, dates and small functions. In each answer cell, replace the line
`raise NotImplementedError()` with your answer and run the cell. Then run the test cell below it: a failed
test prints a message that tells you what to reconsider and where. When the visible checks pass, that is not your
grade: hidden tests run only when your work is graded. Work by hand: answers that call the functions of
`osteonecrosis.prevention` that compute these answers are flagged for your instructor. Written answers are marked
by hand.

| Question | Topic | Points |
|---|---|---|
| 1 | checklist before zoledronate (oncology) | {q("ps4_q1_finish_first", "ps4_q1_no_myths", "ps4_q1_complete")} |
| 2 | checklist before alendronate (osteoporosis) | {q("ps4_q2_not_oncology", "ps4_q2_complete")} |
| 3 | written: the letter to the oncologist | {P["ps4_q3_written"]} (by hand) |
| 4 | implants and extractions during therapy | {q("ps4_q4_oncologic", "ps4_q4_alendronate_op", "ps4_q4_denosumab_op", "ps4_q4_alveoloplasty")} |
| 5 | denosumab: the ECTS operating window, with dates | {q("ps4_q5_window_start", "ps4_q5_window_end")} |
| 6 | denosumab: the SDCEP window | {q("ps4_q6_after_injection", "ps4_q6_month_before")} |
| 7 | a function for the next denosumab injection | {q("ps4_q7_case", "ps4_q7_edges")} |
| 8 | written: when the socket has not healed | {P["ps4_q8_written"]} (by hand) |
| 9 | a function for the ECTS 2022 bisphosphonate pause, with dates | {q("ps4_q9_case", "ps4_q9_short", "ps4_q9_grid")} |
| 10 | drug holidays, guideline by guideline | {q("ps4_q10_bisphosphonate", "ps4_q10_denosumab")} |
| 11 | what a CTX result means | {q("ps4_q11_true_positives", "ps4_q11_false_positives")} |
| 12 | written: the note to the general practitioner | {P["ps4_q12_written"]} (by hand) |
| | **total** | **{AUTO + MANUAL}** |

> **Teaching, not treating.** The patients are invented and the rules are simplified for teaching. Decisions
> about real patients belong to their clinicians, using the current guidelines.
"""))

add(readonly("ps4_setup", """
# Run this cell first (Shift+Enter). It loads the course package and the helpers the tests use.
import datetime
from datetime import date, timedelta

from IPython.display import Markdown, display

from osteonecrosis import knowledge, library_case
from osteonecrosis.exercises import answered, as_date, as_id_list, as_number, missing_and_extra


def show_rules(*entry_ids):
    \"\"\"A table of knowledge entries: what each says, its sources and its evidence status.\"\"\"
    rows = ["| id | what it says | source | evidence |", "|---|---|---|---|"]
    for entry_id in entry_ids:
        entry = knowledge.find(entry_id, "prevention")
        text = " ".join(str(entry["action"]).split())
        rows.append(f"| `{entry_id}` | {text} | {', '.join(knowledge.source_keys(entry))} | {entry['evidence']} |")
    display(Markdown("\\n".join(rows)))


print("Ready.")
"""))

# --------------------------------------------------------------------------------------------------------
add(markdown("""
## Part A. Before the drug starts

Read the vignette of this patient from the case library.
"""))
add(readonly("ps4_case_a", """
oncology_patient = library_case("onc-zoledronate-before-therapy")
print(oncology_patient.extra["vignette"])
"""))
add(markdown("""
Here is a menu of things a dentist might put on a pre-treatment checklist. Most come from the course's
knowledge base, each with its source; the last two are ideas that you should judge for yourself (course
notebook 6 says what the evidence shows). The CTX test does not predict MRONJ. Antibiotic cover for
extractions is **contested**: SDCEP finds the evidence insufficient, while Italian (SICMF-SIPMO) and German
guidelines are reported to recommend it; it is neither marked right nor wrong in a checklist, and Question 3
asks you to weigh it.
"""))
add(readonly("ps4_menu", """
pretreatment = [e for e in knowledge.load("prevention")["pretreatment"] if e.get("answer")]
CHECKLIST_MENU = {e["id"]: " ".join(e["action"].split()) for e in pretreatment}
CHECKLIST_MENU["ctx-test"] = "Measure serum CTX (a marker of bone turnover) to find out whether she is at risk."
CHECKLIST_MENU["antibiotic-cover"] = "Give antibiotic cover with extractions to prevent MRONJ (contested)."

display(Markdown("\\n".join(f"- `{key}`: {text}" for key, text in CHECKLIST_MENU.items())))
show_rules(*[e["id"] for e in pretreatment])
"""))

add(markdown(f"""
### Question 1 {points_line(q("ps4_q1_finish_first", "ps4_q1_no_myths", "ps4_q1_complete"))}

Which items of the menu belong on the checklist for this woman, **before her first zoledronic acid
infusion**? Write their ids as a list of text strings, for example `["id-one", "id-two"]`.

*Checked now:* ids from the menu, the hopeless teeth first, no CTX. *Checked at grading:* the whole checklist
(antibiotic cover, a contested item, is not marked either way).
"""))
add(answer("ps4_q1_answer", """
oncology_checklist = None
### BEGIN SOLUTION
oncology_checklist = [
    "pre-assessment",
    "pre-coordinated-plan",
    "pre-finish-necessary",
    "pre-sdcep-dentally-fit",
    "pre-modifiable-risk",
    "pre-education",
]
### END SOLUTION
"""))
add(tests("ps4_q1_finish_first", f"""
chosen = as_id_list(answered(oncology_checklist, "oncology_checklist"), "Q1 oncology_checklist")
unknown = sorted(set(chosen) - set({MENU_IDS!r}))
assert not unknown, f"Q1: not ids of the menu: {{unknown}}; copy each id exactly, in quotes"
assert "pre-finish-necessary" in chosen, (
    "Q1: her hopeless teeth come out BEFORE the first infusion (notebook 06, 'Before therapy'; MASCC 2019)"
)
""", P["ps4_q1_finish_first"]))
add(tests("ps4_q1_no_myths", """
chosen = as_id_list(answered(oncology_checklist, "oncology_checklist"), "Q1 oncology_checklist")
assert "ctx-test" not in chosen, (
    "Q1: CTX does not predict MRONJ (notebook 06, 'A test that does not predict')"
)
""", P["ps4_q1_no_myths"]))
add(tests("ps4_q1_complete", f"""
chosen = as_id_list(answered(oncology_checklist, "oncology_checklist"), "Q1 oncology_checklist")
assert len(chosen) == len(set(chosen)), "Q1: each id should appear once in your list."
### BEGIN HIDDEN TESTS
graded = [i for i in chosen if i not in {sorted(CONTESTED_ITEMS)!r}]  # contested items are not marked
_missing, _extra = missing_and_extra(graded, {ONC_EXPECTED!r})
assert not _missing and not _extra, (
    f"Q1: missing {{_missing}}; not for her {{_extra}} (notebook 06, 'Before therapy')")
### END HIDDEN TESTS
""", P["ps4_q1_complete"]))

add(markdown(f"""
### Question 2 {points_line(q("ps4_q2_not_oncology", "ps4_q2_complete"))}

Another patient: a 66-year-old woman with postmenopausal osteoporosis will start **alendronate 70 mg once a
week**. She has no cancer. Her mouth is healthy apart from one tooth that needs a filling.

Which items of the same menu belong on **her** checklist? Write their ids as a list.

*Checked now:* ids from the menu, no oncology-only items, no CTX. *Checked at grading:* the whole checklist.
"""))
add(answer("ps4_q2_answer", """
osteoporosis_checklist = None
### BEGIN SOLUTION
osteoporosis_checklist = ["pre-sdcep-dentally-fit", "pre-modifiable-risk", "pre-education"]
### END SOLUTION
"""))
add(tests("ps4_q2_not_oncology", f"""
chosen = as_id_list(answered(osteoporosis_checklist, "osteoporosis_checklist"), "Q2 osteoporosis_checklist")
unknown = sorted(set(chosen) - set({MENU_IDS!r}))
assert not unknown, f"Q2: not ids of the menu: {{unknown}}; copy each id exactly, in quotes"
assert not {{"pre-coordinated-plan", "pre-finish-necessary"}} & set(chosen), (
    "Q2: oncologist and 'finish first' are for oncologic doses (notebook 06, 'Before therapy')"
)
""", P["ps4_q2_not_oncology"]))
add(tests("ps4_q2_complete", f"""
chosen = as_id_list(answered(osteoporosis_checklist, "osteoporosis_checklist"), "Q2 osteoporosis_checklist")
assert "ctx-test" not in chosen, "Q2: CTX does not predict MRONJ (notebook 06, 'A test that does not predict')"
### BEGIN HIDDEN TESTS
graded = [i for i in chosen if i not in {sorted(CONTESTED_ITEMS)!r}]  # contested items are not marked
_missing, _extra = missing_and_extra(graded, {OP_EXPECTED!r})
# MASCC's comprehensive assessment is written for oncologic doses: not required for her, not wrong either.
_extra = [i for i in _extra if i != "pre-assessment"]
assert not _missing and not _extra, (
    f"Q2: missing {{_missing}}; not for her {{_extra}} (notebook 06, 'Before therapy')")
### END HIDDEN TESTS
""", P["ps4_q2_complete"]))

add(readonly("ps4_q3_prompt", f"""
### Question 3 {points_line(P["ps4_q3_written"], "marked by hand")}

Write a short letter (5 to 8 sentences) to the oncologist of the woman in Question 1. Say what you found,
what you plan to do and **in which order relative to her first zoledronic acid infusion**, what you need from
the oncologist, and how you will follow her up. Name the guideline behind each step.
""", cell_type="markdown"))
add(written("ps4_q3_written", """
### BEGIN SOLUTION
**Model answer.** Dear colleague, I have examined Mrs X, who is about to start zoledronic acid 4 mg every
4 weeks for bone metastases of breast cancer. The dental, periodontal and radiographic assessment shows
generalised periodontitis and two teeth of hopeless prognosis. Following MASCC/ISOO/ASCO 2019, I propose to
extract those two teeth and start periodontal treatment **before** her first infusion, because after it every
extraction is an invasive procedure in a patient on an oncologic-dose drug, the group at the highest risk of
MRONJ. Could you tell me when the first infusion is planned and whether her blood counts allow surgery, so that
we can fit the extractions (and healing) in before it? I will also address her modifiable risk factors
(hygiene, periodontitis) and explain the risk and what lowers it. Once she is on zoledronate, I will see her for
regular dental follow-up (for example every 6 months) and avoid elective dentoalveolar surgery, and I will
report any change in her mouth to you.

### BEGIN MARK SCHEME
- 1 point: the extractions (and treatment of infection) are planned and finished **before** the first
  infusion, with the reason (after it, extraction is a major risk factor in oncologic-dose therapy).
- 1 point: asks the oncologist for the start date (and fitness for surgery) so that the dental plan and the
  drug are coordinated (MASCC 2019, pre-coordinated-plan).
- 1 point: follow-up during therapy (regular recall, e.g. 6-monthly; hygiene; no elective surgery) and at
  least one guideline named correctly. No point is lost for not mentioning the unverified 14-21 day delay;
  if it is mentioned it must be called 'reported', not a rule. Deduct 1 point (minimum 0) for recommending CTX
  as a predictor. Antibiotic cover for the extractions is contested: full credit either way when the letter
  names the positions (SDCEP: evidence insufficient; Italian and German guidelines reported to recommend it);
  presenting either side as settled, or calling it a myth, loses the follow-up point.
### END MARK SCHEME
### END SOLUTION
""", P["ps4_q3_written"]))

# --------------------------------------------------------------------------------------------------------
add(markdown("""
## Part B. Implants and extractions during therapy

MASCC/ISOO/ASCO 2019 advises against elective dentoalveolar surgery during **oncologic-dose** therapy with a
bone-modifying agent. Whether a dose is oncologic or low (osteoporosis) is recorded for each regimen in the
drug catalogue.
"""))
add(readonly("ps4_part_b_rules", """
show_rules("during-no-elective-oncology", "during-primary-care", "during-implants-seed")
rows = ["| drug | dose | every | indication | risk group |", "|---|---|---|---|---|"]
for drug in knowledge.load("drugs")["drugs"]:
    if drug["id"] in ("alendronate", "zoledronate", "denosumab"):
        for r in drug["regimens"]:
            rows.append(f"| {drug['id']} | {r['dose_mg']} mg {r['route']} | {r['every_days']} days "
                        f"| {r['indication']} | {r['risk_group']} |")
display(Markdown("\\n".join(rows)))
"""))
add(markdown(f"""
### Question 4 {points_line(q("ps4_q4_oncologic", "ps4_q4_alendronate_op", "ps4_q4_denosumab_op", "ps4_q4_alveoloplasty"))}

For each planned procedure below, does the MASCC/ISOO/ASCO 2019 advice against elective dentoalveolar surgery
during oncologic-dose therapy apply to it? Answer with a dictionary from each scenario id to `True` (the
advice applies: do not do this elective operation now) or `False` (this advice does not cover it).

One point per scenario. *Checked now:* the scenario ids, True/False, the zoledronate implant and the two
osteoporosis scenarios. *Checked at grading:* the alveoloplasty.
"""))
add(readonly("ps4_scenarios", """
SCENARIOS = {
    "implant-zoledronate-4mg-monthly": (
        "An implant for a 70-year-old man with prostate cancer and bone metastases, on zoledronic acid 4 mg IV "
        "every 4 weeks."),
    "alveoloplasty-denosumab-120mg": (
        "Alveoloplasty to smooth the ridge before a new denture, for a woman with multiple myeloma on "
        "denosumab 120 mg SC every 4 weeks."),
    "implant-alendronate-osteoporosis": (
        "An implant for a woman who has taken alendronate 70 mg weekly for osteoporosis for 2 years."),
    "implant-denosumab-60mg-osteoporosis": (
        "An implant for a woman on denosumab 60 mg SC every 6 months for osteoporosis."),
}
for key, text in SCENARIOS.items():
    print(f"{key}: {text}")
"""))
add(answer("ps4_q4_answer", """
# Template: mascc_applies = {"implant-zoledronate-4mg-monthly": ..., "alveoloplasty-denosumab-120mg": ...,
#                            "implant-alendronate-osteoporosis": ..., "implant-denosumab-60mg-osteoporosis": ...}
mascc_applies = None
### BEGIN SOLUTION
mascc_applies = {
    "implant-zoledronate-4mg-monthly": True,
    "alveoloplasty-denosumab-120mg": True,
    "implant-alendronate-osteoporosis": False,
    "implant-denosumab-60mg-osteoporosis": False,
}
### END SOLUTION
"""))
def _short(message: str) -> str:
    """A feedback message, refused at build time when nbgrader validate would cut it (80 characters)."""
    if len(message) > 80:
        raise ValueError(f"feedback message longer than 80 characters: {message!r}")
    return message


def q4_test(scenario: str, want: bool, why: str, hidden: bool) -> str:
    """The test cell of one Question 4 scenario: the answer's form now; this scenario's value now (worked
    example and the osteoporosis scenarios) or at grading (``hidden``)."""
    lines = [
        'given = answered(mascc_applies, "mascc_applies")',
        "assert isinstance(given, dict), " + repr(_short("Q4: mascc_applies is a dictionary {scenario id: True/False}")),
        f"assert sorted(given) == {sorted(SCENARIO_IDS)!r}, " + repr(_short("Q4: use exactly the scenario ids printed above")),
        "assert all(isinstance(v, bool) for v in given.values()), "
        + repr(_short("Q4: each value is True or False, without quotes (notebook 00, 'Values')")),
    ]
    check = f"assert given[{scenario!r}] is {want!r}, " + repr(_short(why))
    lines += ["### BEGIN HIDDEN TESTS", check, "### END HIDDEN TESTS"] if hidden else [check]
    return "\n".join(lines)


add(tests("ps4_q4_oncologic", q4_test(
    "implant-zoledronate-4mg-monthly", True,
    "Q4 zoledronate implant: oncologic dose (entry during-no-elective-oncology)", hidden=False),
    P["ps4_q4_oncologic"]))
add(tests("ps4_q4_alendronate_op", q4_test(
    "implant-alendronate-osteoporosis", False,
    "Q4 alendronate implant: osteoporosis dose (entry during-implants-seed)", hidden=False),
    P["ps4_q4_alendronate_op"]))
add(tests("ps4_q4_denosumab_op", q4_test(
    "implant-denosumab-60mg-osteoporosis", False,
    "Q4 denosumab 60 mg implant: osteoporosis dose (entry during-implants-seed)", hidden=False),
    P["ps4_q4_denosumab_op"]))
add(tests("ps4_q4_alveoloplasty", q4_test(
    "alveoloplasty-denosumab-120mg", True,
    "Q4 alveoloplasty: elective, oncologic dose (entry during-no-elective-oncology)", hidden=True),
    P["ps4_q4_alveoloplasty"]))

# --------------------------------------------------------------------------------------------------------
add(markdown("""
## Part C. Timing surgery around denosumab, with dates

Denosumab's effect wears off within months and it is not stored in bone, so the guidelines do not stop it:
they **time** invasive treatment within the dosing interval. Read this patient's case and the two rules.
"""))
add(readonly("ps4_case_c", """
implant_patient = library_case("op-denosumab-implant")
print(implant_patient.extra["vignette"])
last_injection = implant_patient.medications[0].last_dose
print("Last injection:", last_injection)
show_rules("dmab-ects2022", "dmab-sdcep2017", "dmab-aaoms2022")
"""))
add(markdown(f"""
**Working with dates in Python.** `date(2026, 3, 2)` is 2 March 2026. Adding `timedelta(weeks=4)` moves a date
4 weeks (28 days) on; `min(a, b)` gives the earlier of two dates, and `a < b` compares them:

```python
date(2026, 3, 2) + timedelta(weeks=4)      # date(2026, 3, 30)
min(date(2026, 5, 1), date(2026, 4, 20))    # date(2026, 4, 20)
```

**Counting months.** In this problem set, "n months after" a date means the same day of the month, n calendar
months later: 2 months after 2 March 2026 is 2 May 2026. Her next injection is due {INTERVAL} months after the last
one (the rules' dosing interval). Count on a calendar, then write the dates.

The entry `dmab-aaoms2022` is tagged *unverified*: it is reported so that you know it exists, but no question
is marked against it.
"""))
add(markdown(f"""
### Question 5 {points_line(q("ps4_q5_window_start", "ps4_q5_window_end"))}

Following **ECTS 2022**, what are the earliest and the latest dates on which her implant surgery should be
done? Write a pair `(earliest, latest)` of dates.

*Checked now:* a pair of dates, in order, at the end of the dosing interval. *Checked at grading:* both dates.
"""))
add(answer("ps4_q5_answer", """
ects_surgery_window = None
### BEGIN SOLUTION
ects_surgery_window = (date(2026, 8, 2), date(2026, 9, 2))
### END SOLUTION
"""))
add(tests("ps4_q5_window_start", f"""
last_injection = {LAST_INJECTION!r}
window = answered(ects_surgery_window, "ects_surgery_window")
assert isinstance(window, tuple | list) and len(window) == 2, (
    "Q5: write a pair of dates: (earliest, latest) (notebook 00, 'Dates')")
earliest, latest = as_date(window[0], "Q5 earliest"), as_date(window[1], "Q5 latest")
assert earliest <= latest, "Q5: the earliest date comes before the latest one"
assert earliest > last_injection + timedelta(weeks=8), (
    "Q5: too soon after an injection: ECTS times surgery at the END of the interval (notebook 06, 'Timing')"
)
### BEGIN HIDDEN TESTS
assert earliest == date.fromisoformat({ECTS_WINDOW["procedure_earliest"]!r}), (
    "Q5: check the earliest date: count the months on a calendar (notebook 06, 'Timing around denosumab')"
)
### END HIDDEN TESTS
""", P["ps4_q5_window_start"]))
add(tests("ps4_q5_window_end", f"""
last_injection = {LAST_INJECTION!r}
window = answered(ects_surgery_window, "ects_surgery_window")
assert isinstance(window, tuple | list) and len(window) == 2, (
    "Q5: write a pair of dates: (earliest, latest) (notebook 00, 'Dates')")
latest = as_date(window[1], "Q5 latest")
assert latest > last_injection + timedelta(weeks=8), (
    "Q5: the window lies at the end of the dosing interval (notebook 06, 'Timing around denosumab')"
)
### BEGIN HIDDEN TESTS
assert latest == date.fromisoformat({ECTS_WINDOW["procedure_latest"]!r}), (
    "Q5: latest: the next dose's due date (notebook 06, 'Timing around denosumab')"
)
### END HIDDEN TESTS
""", P["ps4_q5_window_end"]))

add(markdown(f"""
### Question 6 {points_line(q("ps4_q6_after_injection", "ps4_q6_month_before"))}

The practice offers her three appointments for the surgery. Under **SDCEP**'s option for 6-monthly denosumab,
which of them are acceptable for non-urgent invasive treatment? Answer with a dictionary from each date to
`True` (acceptable) or `False` (not acceptable).

*Checked now:* the three dates as keys, True/False, and 16 March. *Checked at grading:* the other two dates.
"""))
add(answer("ps4_q6_answer", """
# Template: sdcep_acceptable = {date(2026, 3, 16): ..., date(2026, 6, 15): ..., date(2026, 8, 17): ...}
sdcep_acceptable = None
### BEGIN SOLUTION
sdcep_acceptable = {date(2026, 3, 16): False, date(2026, 6, 15): False, date(2026, 8, 17): True}
### END SOLUTION
"""))
add(tests("ps4_q6_after_injection", r"""
given = answered(sdcep_acceptable, "sdcep_acceptable")
assert isinstance(given, dict), "Q6: a dictionary {date: True or False, ...} (notebook 00, 'Dictionaries')"
given = {as_date(k, "Q6 each key"): v for k, v in given.items()}
assert set(given) == {date(2026, 3, 16), date(2026, 6, 15), date(2026, 8, 17)}, (
    "Q6: use exactly the three offered dates as keys"
)
assert all(isinstance(v, bool) for v in given.values()), "Q6: each value is True or False, no quotes (notebook 00, 'Values')"
assert given[date(2026, 3, 16)] is False, (
    "Q6 16 March: 2 weeks after the injection; SDCEP's month? (notebook 06, 'Timing')"
)
""", P["ps4_q6_after_injection"]))
add(tests("ps4_q6_month_before", f"""
given = answered(sdcep_acceptable, "sdcep_acceptable")
assert isinstance(given, dict), "Q6: sdcep_acceptable is a dictionary {{date: True or False, ...}}"
given = {{as_date(k, "Q6 each key"): v for k, v in given.items()}}
### BEGIN HIDDEN TESTS
_lo = date.fromisoformat({SDCEP_WINDOW["procedure_earliest"]!r})
_hi = date.fromisoformat({SDCEP_WINDOW["procedure_latest"]!r})
for _d in (date(2026, 6, 15), date(2026, 8, 17)):
    assert given.get(_d) is (_lo <= _d <= _hi), (
        f"Q6 {{_d}}: in the month before the next dose? (notebook 06, 'Timing around')"
    )
### END HIDDEN TESTS
""", P["ps4_q6_month_before"]))

add(markdown(f"""
### Question 7 {points_line(q("ps4_q7_case", "ps4_q7_edges"))}

Write a function that, for a procedure date and the date the next injection is due, returns the earliest and
the latest date for the next denosumab 60 mg injection under **ECTS 2022**: from {W_MIN} weeks after the procedure
to {W_MAX} weeks after it, but never more than {LATE} weeks after the due date. (Hint: `min`.)

*Checked now:* the test cells' worked examples, including a procedure on the due date. *Checked at grading:*
every procedure date in the month before three due dates.
"""))
add(answer("ps4_q7_answer", """
def next_injection_window(procedure_date, due_date):
    \"\"\"(earliest, latest) dates for the next denosumab 60 mg injection after a procedure (ECTS 2022).\"\"\"
    ### BEGIN SOLUTION
    earliest = procedure_date + timedelta(weeks=4)
    latest = min(procedure_date + timedelta(weeks=6), due_date + timedelta(weeks=4))
    return earliest, latest
    ### END SOLUTION
"""))
add(tests("ps4_q7_case", """
result = next_injection_window(date(2026, 8, 17), date(2026, 9, 2))
assert isinstance(result, tuple) and len(result) == 2, "Q7: return a pair: return earliest, latest (notebook 00, 'Small functions')"
earliest, latest = as_date(result[0], "Q7 earliest"), as_date(result[1], "Q7 latest")
assert earliest >= date(2026, 8, 17) + timedelta(weeks=4), (
    f"Q7: {earliest} is too early: 4-6 weeks of healing first (entry dmab-ects2022)"
)
assert earliest == date(2026, 8, 17) + timedelta(weeks=4), "Q7: the window opens 4 weeks after the procedure (notebook 06, 'Timing')"
assert latest <= date(2026, 9, 2) + timedelta(weeks=4), (
    f"Q7: {latest} is over 4 weeks past the due date (notebook 06, 'Timing around')"
)
assert latest == date(2026, 8, 17) + timedelta(weeks=6), (
    "Q7: procedure over 2 weeks before the due date: closes 6 weeks after it"
)
""", P["ps4_q7_case"]))
add(tests("ps4_q7_edges", f"""
result = next_injection_window(date(2026, 9, 2), date(2026, 9, 2))
assert isinstance(result, tuple) and len(result) == 2, "Q7: return a pair: return earliest, latest"
assert as_date(result[1], "Q7 latest") == date(2026, 9, 30), (
    "Q7: surgery on the due date: the 4-weeks-late cap closes the window first (Question 7 text)")
### BEGIN HIDDEN TESTS
for _proc, _due, _lo, _hi in {Q7_GRID!r}:
    _proc, _due = date.fromisoformat(_proc), date.fromisoformat(_due)
    _expected = (date.fromisoformat(_lo), date.fromisoformat(_hi))
    _got = next_injection_window(_proc, _due)
    assert (as_date(_got[0], "Q7 earliest"), as_date(_got[1], "Q7 latest")) == _expected, (
        f"Q7: procedure {{_proc}}, due {{_due}}: expected {{_expected}}, got {{_got}}; which limit comes first?"
    )
### END HIDDEN TESTS
""", P["ps4_q7_edges"]))
add(readonly("ps4_q8_prompt", f"""
### Question 8 {points_line(P["ps4_q8_written"], "marked by hand")}

She has the implant placed on 17 August 2026. On 30 September 2026 the site has still not healed. SDCEP says
to delay the next dose until the socket has healed; ECTS 2022 says no more than {LATE} weeks late. In 3 to 5
sentences: what is the risk of a long delay, how do the two guidelines differ, and who decides about the
injection?
""", cell_type="markdown"))
add(written("ps4_q8_written", """
### BEGIN SOLUTION
**Model answer.** Denosumab's effect wears off within months of a missed dose, and stopping or delaying it causes
rebound bone turnover with rapid bone loss and, in a minority, multiple vertebral fractures. ECTS 2022 therefore
caps the delay at 4 weeks after the due date (30 September here), whatever the socket looks like, whereas
SDCEP ties the next dose to healing of the socket, with no fixed limit. The two guidelines weigh the risks
differently: SDCEP puts the jaw first, ECTS the skeleton. The decision about the injection belongs to the
prescriber, with the patient, informed by the dentist's report on the socket.

### BEGIN MARK SCHEME
- 1 point: names the rebound after stopping or delaying denosumab (bone loss, vertebral fractures).
- 1 point: states the difference (ECTS: fixed cap of 4 weeks late; SDCEP: wait for healing) AND that the
  prescriber decides with the patient (the dentist informs). Half answers: 0.5 each part.
### END MARK SCHEME
### END SOLUTION
""", P["ps4_q8_written"]))

# --------------------------------------------------------------------------------------------------------
add(markdown(f"""
## Part D. Drug holidays, guideline by guideline

The guidelines disagree about pausing an antiresorptive before oral surgery. Here is every position the course
knows, side by side. Rows tagged *unverified* come from memory of the texts and have not been checked in the
primary source: they are taught as 'reported', and **no question is marked against them** (this includes the
AAOMS 2014 '{A14_MONTHS}-month holiday after {A14_YEARS} years' that the Spanish
seed text repeats).
"""))
add(readonly("ps4_holidays", """
show_rules(*[e["id"] for e in knowledge.load("prevention")["drug_holidays"]
             if e["guideline"] != "none" and e["drug_group"] != "past"])
extraction_patient = library_case("op-alendronate-extraction")
print(extraction_patient.extra["vignette"])
"""))
add(markdown("Warm up with this check (not graded)."))
add(code("""
from osteonecrosis import teaching

teaching.quiz(
    "A dentist and a prescriber disagree about pausing a patient's bisphosphonate before an extraction. "
    "Whose decision is the drug holiday, according to SDCEP?",
    ["The dentist's, who does the extraction", "The prescriber's, with the patient",
     "Nobody's: every guideline says always stop it"],
    answer="The prescriber's, with the patient",
    explanation="SDCEP finds no evidence that stopping a bisphosphonate lowers the risk, and leaves any drug "
                "holiday to the prescriber (entry holiday-sdcep2017). The dentist informs that decision.",
    hints={"The dentist's, who does the extraction": "Reread the SDCEP row of the table above.",
           "Nobody's: every guideline says always stop it": "Do they all? Compare the rows of the table above."},
)
"""))
add(markdown(f"""
### Question 9 {points_line(q("ps4_q9_case", "ps4_q9_short", "ps4_q9_grid"))}

The rows of the table above are not equal. AAOMS 2009's rows (a pause chosen by years on the drug and steroids)
are **history**: the 2014 and 2022 papers replaced them. The current, verified rule that does set dates is ECTS
2022's: a bisphosphonate *could* be paused from at least {ECTS_BP_DAYS} days before a high-risk procedure until
the site has healed (entry `holiday-ects2022-bp`); whether to pause at all is the prescriber's decision (SDCEP).

Write `ects_bp_pause(procedure_date, healed_date)`, which returns a pair: the **last day** she may take the
bisphosphonate (at least {ECTS_BP_DAYS} days before the procedure) and the **first day** she may take it again
(the day the site is found healed). Worked example: a procedure on `date(2026, 5, 20)` healed on
`date(2026, 7, 1)` gives `(date(2026, 5, 13), date(2026, 7, 1))`.

*Checked now:* the worked example, and that you return dates. *Checked at grading:* other dates, across months
and years.
"""))
add(answer("ps4_q9_answer", f"""
def ects_bp_pause(procedure_date, healed_date):
    \"\"\"(last day on the drug, first day back on it) for a bisphosphonate pause under ECTS 2022.\"\"\"
    ### BEGIN SOLUTION
    return procedure_date - timedelta(days={ECTS_BP_DAYS}), healed_date
    ### END SOLUTION
"""))
add(tests("ps4_q9_case", f"""
result = ects_bp_pause(date(2026, 5, 20), date(2026, 7, 1))
assert isinstance(result, tuple) and len(result) == 2, "Q9: return a pair: return last_day, first_day_back"
last_day, back = as_date(result[0], "Q9 last day"), as_date(result[1], "Q9 first day back")
assert last_day <= date(2026, 5, 20) - timedelta(days={ECTS_BP_DAYS}), (
    "Q9: stop at least {ECTS_BP_DAYS} days BEFORE the procedure, not after it (Question 9 example)"
)
assert (last_day, back) == (date(2026, 5, 13), date(2026, 7, 1)), (
    f"Q9: the worked example gives (2026-05-13, 2026-07-01); yours gives {{result}} (Question 9)"
)
""", P["ps4_q9_case"]))
add(tests("ps4_q9_short", f"""
result = ects_bp_pause(date(2026, 3, 3), date(2026, 4, 14))
assert isinstance(result, tuple) and len(result) == 2, "Q9: return a pair: return last_day, first_day_back"
back = as_date(result[1], "Q9 first day back")
assert back != date(2026, 3, 3), "Q9: restart when the site has HEALED, not on the day of surgery (Question 9)"
### BEGIN HIDDEN TESTS
assert back == date(2026, 4, 14), "Q9: the first day back is the day the site is found healed (holiday-ects2022-bp)"
### END HIDDEN TESTS
""", P["ps4_q9_short"]))
add(tests("ps4_q9_grid", f"""
result = ects_bp_pause(date(2026, 1, 5), date(2026, 2, 16))
assert isinstance(result, tuple) and len(result) == 2, "Q9: return a pair: return last_day, first_day_back"
### BEGIN HIDDEN TESTS
for _proc, _healed, _last, _back in {Q9_GRID!r}:
    _got = ects_bp_pause(date.fromisoformat(_proc), date.fromisoformat(_healed))
    _want = (date.fromisoformat(_last), date.fromisoformat(_back))
    assert (as_date(_got[0], "Q9 last day"), as_date(_got[1], "Q9 first day back")) == _want, (
        f"Q9: procedure {{_proc}}, healed {{_healed}}: expected {{_want}}, got {{_got}} (count days on a calendar)"
    )
### END HIDDEN TESTS
""", P["ps4_q9_grid"]))

add(markdown(f"""
### Question 10 {points_line(q("ps4_q10_bisphosphonate", "ps4_q10_denosumab"))}

Choose among the keys of the current, verified guideline positions: `"sdcep2017"`, `"ects2022"` and
`"mascc2019"`. AAOMS 2009 is history: its rows were superseded by the 2014 and 2022 papers, so it is not a
choice here; rows tagged unverified are not marked either.

- `pause_bisphosphonate`: the guidelines whose verified position advises or allows **pausing** the alendronate
  of the woman above (osteoporosis, 5 years, an extraction ahead).
- `stop_denosumab`: the guidelines whose verified position advises **stopping** denosumab before an invasive
  procedure in the osteoporosis patient of Part C.

*Checked now:* the keys, no AAOMS 2009, no SDCEP. *Checked at grading:* both lists exactly.
"""))
add(answer("ps4_q10_answer", """
pause_bisphosphonate = None
stop_denosumab = None
### BEGIN SOLUTION
pause_bisphosphonate = ["ects2022"]
stop_denosumab = []
### END SOLUTION
"""))
add(tests("ps4_q10_bisphosphonate", f"""
chosen = set(as_id_list(answered(pause_bisphosphonate, "pause_bisphosphonate"), "Q10 pause_bisphosphonate"))
chosen -= {{"aaoms2014", "aaoms2022"}}  # unverified positions are never marked
assert "aaoms2009" not in chosen, "Q10: AAOMS 2009 is history (superseded in 2014 and 2022): leave it out"
unknown = sorted(chosen - set({Q10_KEYS!r}))
assert not unknown, f"Q10: use only the keys {Q10_KEYS!r} (unknown: {{unknown}})"
assert "sdcep2017" not in chosen, (
    "Q10: SDCEP finds no evidence and leaves a holiday to the prescriber (notebook 06, 'Drug holidays')"
)
### BEGIN HIDDEN TESTS
assert "mascc2019" not in chosen, (
    "Q10: MASCC 2019 finds the evidence insufficient either way (notebook 06, 'Drug holidays')"
)
assert chosen == {{"ects2022"}}, "Q10: who allows a bisphosphonate pause? (notebook 06, 'Drug holidays')"
### END HIDDEN TESTS
""", P["ps4_q10_bisphosphonate"]))
add(tests("ps4_q10_denosumab", f"""
chosen = set(as_id_list(answered(stop_denosumab, "stop_denosumab"), "Q10 stop_denosumab"))
chosen -= {{"aaoms2014", "aaoms2022", "aaoms2009"}}  # unverified or historical positions are never marked
unknown = sorted(chosen - set({Q10_KEYS!r}))
assert not unknown, f"Q10: use only the keys {Q10_KEYS!r} (unknown: {{unknown}})"
### BEGIN HIDDEN TESTS
assert chosen == set(), (
    f"Q10 {{sorted(chosen)}}: ECTS says never stop denosumab; SDCEP times surgery instead (Part C)"
)
### END HIDDEN TESTS
""", P["ps4_q10_denosumab"]))

add(markdown(f"""
### Question 11 {points_line(q("ps4_q11_true_positives", "ps4_q11_false_positives"))}

Some clinicians order a serum CTX before surgery and operate only if it is above {CUTOFF} pg/mL. Read the
meta-analysis entry below. Then imagine 100 patients who **will** develop MRONJ and 100 who **will not**.

- `flagged_among_100_with_mronj`: how many of the 100 who will develop MRONJ does the cut-off flag as at risk?
- `flagged_among_100_without_mronj`: how many of the 100 who will not develop it are flagged as at risk anyway?

Round to whole patients.

*Checked now:* numbers out of 100, the first from the sensitivity, the second not the specificity. *Checked at
grading:* the false alarms.
"""))
add(readonly("ps4_ctx", """
show_rules("prev-ctx-not-predictive", "prev-ctx-aaoms")
"""))
add(answer("ps4_q11_answer", """
flagged_among_100_with_mronj = None
flagged_among_100_without_mronj = None
### BEGIN SOLUTION
flagged_among_100_with_mronj = 34
flagged_among_100_without_mronj = 23
### END SOLUTION
"""))
add(tests("ps4_q11_true_positives", f"""
tp = as_number(answered(flagged_among_100_with_mronj, "flagged_among_100_with_mronj"), "Q11")
assert 0 <= tp <= 100, "Q11: a number of patients out of 100"
assert abs(tp - {CTX["sensitivity_percent"]!r}) <= 1, (
    "Q11: sensitivity: share WITH disease flagged (notebook 06, 'A test that')"
)
""", P["ps4_q11_true_positives"]))
add(tests("ps4_q11_false_positives", f"""
fp = as_number(answered(flagged_among_100_without_mronj, "flagged_among_100_without_mronj"), "Q11")
assert 0 <= fp <= 100, "Q11: a number of patients out of 100"
assert fp != round({CTX["specificity_percent"]!r}), "Q11: that is the specificity; false alarms are the rest"
### BEGIN HIDDEN TESTS
assert abs(fp - (100 - {CTX["specificity_percent"]!r})) <= 1, (
    "Q11: false alarms: WITHOUT disease, not negative (notebook 06, 'A test that')"
)
### END HIDDEN TESTS
""", P["ps4_q11_false_positives"]))

add(readonly("ps4_q12_prompt", f"""
### Question 12 {points_line(P["ps4_q12_written"], "marked by hand")}

The woman of Part D (alendronate for 5 years, prednisolone for 1 year) needs the fractured molar extracted.
Write a note (6 to 10 sentences) to her general practitioner, who prescribes the alendronate. Set out what the
guidelines say about a drug holiday for her, side by side, where they disagree, who decides, what you will
do to lower the risk of the extraction itself, and whether a CTX test would help.
""", cell_type="markdown"))
add(written("ps4_q12_written", """
### BEGIN SOLUTION
**Model answer.** Mrs Y needs the lower molar with a vertical root fracture extracted; it cannot be kept.
She has taken alendronate for 5 years and prednisolone for a year, so she is in a low-dose (osteoporosis) risk
group, with corticosteroids as an added risk factor. The guidelines differ on a drug holiday. ECTS 2022 says a
bisphosphonate could be paused from at least a week before until the socket heals. (The older AAOMS 2009 rule,
3 months before and after surgery after 3 years on the drug, has been replaced by later AAOMS papers: history.) SDCEP finds no evidence that stopping helps, since the drug stays in bone for years, and
leaves any holiday to you as the prescriber. (A 2-month holiday attributed to AAOMS 2014 is reported but not
verified in this course.) As the extraction is needed, not elective, I will not delay it for a holiday unless
you decide otherwise for her bones. I will keep the extraction as atraumatic as possible, aim for closure, review
healing, and see her again until the socket has healed. A CTX test would not help: the 150 pg/mL cut-off misses
about two thirds of the patients who develop MRONJ.

### BEGIN MARK SCHEME
- 1 point: ECTS 2022 stated correctly (a pause could run from at least 1 week before until healing). AAOMS
  2009's 3-month rule may be mentioned only as history (superseded); presenting it as current advice loses
  this point.
- 1 point: SDCEP (no evidence that stopping helps; the prescriber decides); the disagreement is stated.
- 1 point: a safe plan for the extraction itself (needed, not elective; atraumatic; review until healed)
  without inventing a verified antibiotic rule.
- 1 point: CTX is not predictive (a reason from the meta-analysis). AAOMS 2014's 2 months may be mentioned
  only as reported/unverified; presenting it as an established rule loses this point.
### END MARK SCHEME
### END SOLUTION
""", P["ps4_q12_written"]))

add(markdown("""
## Before you submit

Run every cell from the top (menu *Run > Restart Kernel and Run All Cells*), check that the visible tests pass,
and save. Then submit as your instructor told you.

**Summary.** An oncology patient gets a full assessment and all necessary extractions **before** the first
infusion, planned with the oncologist; an osteoporosis patient is made dentally fit before or soon after
starting, without delaying the drug. Elective dentoalveolar surgery waits during oncologic-dose therapy, not
during osteoporosis doses. Denosumab is timed, not stopped. Drug-holiday advice differs from guideline to
guideline, and the decision is the prescriber's. CTX does not predict MRONJ.
"""))
add(readonly("ps4_references", """
from osteonecrosis.teaching import references

references(["mascc2019", "sdcep2017", "ects2022", "aaoms2009", "aaoms2014", "aaoms2022", "ctx_meta2019",
            "denosumab_rebound"])
"""))

NOTEBOOK = notebook(cells, rests_on=RESTS_ON, forbidden_calls=FORBIDDEN)

if __name__ == "__main__":
    write(NOTEBOOK, OUT)
    print(f"wrote {OUT}: {len(cells)} cells, {AUTO} autograded + {MANUAL} manual = {AUTO + MANUAL} points",
          file=sys.stderr)
