"""Build solutions/ps5_capstone/ps5_capstone.ipynb (the nbgrader source).

Run: .venv/bin/python tools/assignments/ps5_capstone.py && make release && make check
Autograded parts use pure, seeded functions only (staging, management, the virtual patient's decide(), the
cohort model's simulate()), so grading is deterministic and headless. Hidden tests compute their expected
values with the package; the cohort answers are what the seeded model gives, not clinical truths.
"""
from __future__ import annotations

import sys
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
from osteonecrosis import library_case
from osteonecrosis.models import cohort
from osteonecrosis.models import virtual_patient as vp
from osteonecrosis.models.parameters import param
from osteonecrosis.staging import stage

ID = "ps5_capstone"
OUT = Path(__file__).resolve().parents[2] / "solutions" / ID / f"{ID}.ipynb"

VP_SEED = 5
COHORT_SEED = 2026
COHORT_N = 20_000

# Each test cell imports what it uses; expected values are literals computed here, when the assignment is built.
TEST_HEADER = """\
import math

from osteonecrosis.exercises import answer_of, answered, as_id_list, as_number, as_stage, missing_and_extra

"""


def tests(grade_id, source, points):
    """A test cell that imports its own helpers and reads nothing else from the student's kernel."""
    return _tests(grade_id, TEST_HEADER + source.strip("\n"), points)


# Shown as "Patient 1" ... "Patient 3": the case ids would give the stages away.
FULL_CASES = {"Patient 1": "onc-denosumab-stage2", "Patient 2": "paget-stopped-stage3",
              "Patient 3": "op-short-exposure"}
FULL_STAGES = {label: stage(library_case(cid)).stage for label, cid in FULL_CASES.items()}
MENU_IDS = ["aaoms2022-nonoperative-2", "aaoms2022-stage2-either", "aaoms2022-stage3-resection",
            "seed-scheme-stage2", "adj-wonder-rinse", "hbo-seed-60"]
SEED_ITEMS = ["seed-scheme-stage2", "adj-wonder-rinse", "hbo-seed-60"]
VP_CASE = "onc-zoledronate-before-therapy"
VP_ACTIONS = sorted(vp.ACTIONS)


def _vp_tree(max_depth: int = 6) -> dict:
    """Every sequence of opening decisions (up to the first dose): prefix -> (available next, verdict of last)."""
    case = library_case(VP_CASE)
    out: dict = {}

    def walk(prefix: list[str]) -> None:
        patient = vp.from_case(case, seed=VP_SEED)
        verdict = None
        for d in prefix:
            verdict = patient.decide(d).advice.verdict
        out[tuple(prefix)] = (patient.available_actions(), verdict)
        if (prefix and prefix[-1] == "start_therapy") or len(prefix) >= max_depth:
            return
        for a in patient.available_actions():
            walk([*prefix, a])

    walk([])
    return out


VP_TREE = _vp_tree()
ONCOLOGY = cohort.simulate("zoledronate", "bone_metastases", n=COHORT_N, seed=COHORT_SEED)
OSTEOPOROSIS = cohort.simulate("alendronate", "osteoporosis", n=COHORT_N, seed=COHORT_SEED)
ONC_CASES = (ONCOLOGY.without.cases, ONCOLOGY.bundle.cases)
ONC_NNT = 1000 / (ONCOLOGY.without.expected_per_1000 - ONCOLOGY.bundle.expected_per_1000)
OP_NNT = 1000 / (OSTEOPOROSIS.without.expected_per_1000 - OSTEOPOROSIS.bundle.expected_per_1000)
COHORT_INPUTS = ["cohort-extraction-effect", "cohort-share-needing-extraction", "cohort-share-foreseeable",
                 "cohort-stage-at-diagnosis", "cohort-conservative-cure"]
ASSUMED = sorted(i for i in COHORT_INPUTS if param(i).assumed)
STAGING = ["mronj-case-definition", "crit-exposure", "crit-exposed-bone", "crit-no-radiation-no-metastasis",
           "aaoms2022-staging"]

FORBIDDEN: list[str] = ["osteonecrosis.staging.stage", "osteonecrosis.plan.make_plan"]
RESTS_ON: dict[str, list[str]] = {
    "ps5_q1_denosumab": STAGING, "ps5_q1_paget": STAGING, "ps5_q1_short": STAGING + ["rule-short-exposure"],
    "ps5_q2_no_seed_claims": [],  # the key: these three are the seed texts' claims (their audit), not guideline rows
    "ps5_q2_written": ["surgery-stage2-success"],
    "ps5_q3_order": [], "ps5_q3_extract_first": ["pre-finish-necessary"], "ps5_q3_in_line": ["pre-finish-necessary"],
    "ps5_q4_written": ["pre-finish-necessary"],
    "ps5_q5_cases": [], "ps5_q6_case": [], "ps5_q6_float": [], "ps5_q6_edges": [],
    "ps5_q7_oncology": [], "ps5_q7_osteoporosis": [],
    "ps5_q8_visible": [], "ps5_q8_complete": [],
    "ps5_q9_written": [],
}

P = {  # points per graded cell
    "ps5_q1_denosumab": 1, "ps5_q1_paget": 1, "ps5_q1_short": 1,
    "ps5_q2_no_seed_claims": 1, "ps5_q2_written": 1,
    "ps5_q3_order": 1, "ps5_q3_extract_first": 1, "ps5_q3_in_line": 1,
    "ps5_q4_written": 3,
    "ps5_q5_cases": 1,
    "ps5_q6_case": 1, "ps5_q6_float": 1, "ps5_q6_edges": 1,
    "ps5_q7_oncology": 1, "ps5_q7_osteoporosis": 1,
    "ps5_q8_visible": 1, "ps5_q8_complete": 1,
    "ps5_q9_written": 6,
}


def q(*ids: str) -> int:
    return sum(P[i] for i in ids)


cells = []
add = cells.append

add(markdown(f"""
# Problem set 5: capstone, from the first visit to the whole cohort

*Time: about 80 minutes. Before you start: course notebooks 00 (primer), 04 (staging), 05 (management),
06 (prevention) and 08 (case simulations).*

{TOTAL_PLACEHOLDER}

This capstone brings the course together. You will stage and plan **full cases** from the case library, take
the first decisions for a **virtual patient** who is about to start zoledronic acid, run a **cohort
experiment** with and without a prevention bundle, and finish with a **written reflection**.

**Learning objectives.** After this problem set you can

1. stage a full case, tell guideline items from the seed texts' claims, and weigh operative against
   nonoperative care as AAOMS 2022 does;
2. order the first decisions for an oncology patient so that none goes against the guidelines;
3. read a seeded cohort model's output, compute the number of patients a prevention bundle must reach to
   prevent one case, and tell the model's cited inputs from its teaching assumptions;
4. reflect on what a simulation can and cannot tell you about a real patient.

**How to work.** Replace each `raise NotImplementedError()` with your answer and run the cell, then run the
test cell below it. Failed tests print what to reconsider and where. When the visible checks pass, that is not
your grade: hidden tests run only at grading. Stage by hand: answers that call `staging.stage` or `make_plan`
are flagged for your instructor.

| Question | Topic | Points |
|---|---|---|
| 1 | stage three full cases | {q("ps5_q1_denosumab", "ps5_q1_paget", "ps5_q1_short")} |
| 2 | guideline items or seed claims; operate or not (part by hand) | {q("ps5_q2_no_seed_claims", "ps5_q2_written")} |
| 3 | virtual patient: the first decisions | {q("ps5_q3_order", "ps5_q3_extract_first", "ps5_q3_in_line")} |
| 4 | written: explaining the plan to the patient | {P["ps5_q4_written"]} (by hand) |
| 5 | cohort experiment: read the seeded run | {P["ps5_q5_cases"]} |
| 6 | a function: patients to reach to prevent one case | {q("ps5_q6_case", "ps5_q6_float", "ps5_q6_edges")} |
| 7 | oncology against osteoporosis | {q("ps5_q7_oncology", "ps5_q7_osteoporosis")} |
| 8 | cited inputs and teaching assumptions | {q("ps5_q8_visible", "ps5_q8_complete")} |
| 9 | written reflection | {P["ps5_q9_written"]} (by hand) |

> **Teaching, not treating.** The patients are invented, and the simulators are teaching models, not
> clinical predictors. Decisions about real patients belong to their clinicians, using the current guidelines.
"""))

add(readonly("ps5_setup", """
# Run this cell first (Shift+Enter). It loads the course package and the helpers the tests use.
import math

from IPython.display import Markdown, display

from osteonecrosis import knowledge, library_case, teaching
from osteonecrosis.exercises import answered, as_id_list, as_number, as_stage, missing_and_extra
from osteonecrosis.models import cohort
from osteonecrosis.models import virtual_patient as vp

print("Ready.")
"""))

# ---------------------------------------------------------------------------------------------------------
add(markdown("""
## Part A. Full cases: stage, then plan

Read the three vignettes.
"""))
add(markdown("\n\n".join(f"**{label}.** {library_case(cid).extra['vignette']}" for label, cid in FULL_CASES.items())))
add(markdown(f"""
### Question 1 {points_line(q("ps5_q1_denosumab", "ps5_q1_paget", "ps5_q1_short"))}

Give the AAOMS 2022 stage of each patient as the course writes it: `"not_mronj"`, `"at_risk"`, `"0"`, `"1"`,
`"2"` or `"3"` (text, in quotes). Answer with a dictionary from the label (`"Patient 1"` ...) to the stage.
*Checked now:* a stage code for each, and the stages each cannot have. *Checked at grading:* each stage.
"""))
add(answer("ps5_q1_answer", """
# Template: stages = {"Patient 1": ..., "Patient 2": ..., "Patient 3": ...}
stages = None
### BEGIN SOLUTION
stages = {"Patient 1": "2", "Patient 2": "3", "Patient 3": "not_mronj"}
### END SOLUTION
"""))
add(tests("ps5_q1_denosumab", f"""
given = answered(stages, "stages")
assert isinstance(given, dict) and "Patient 1" in given, "Q1: a dictionary with 'Patient 1', 'Patient 2', 'Patient 3'"
stage_b = as_stage(given["Patient 1"], "Q1 Patient 1")
assert stage_b != "1", "Q1 Patient 1: pain, redness, pus: infection, not 1 (notebook 04, 'AAOMS stages')"
### BEGIN HIDDEN TESTS
assert stage_b == {FULL_STAGES["Patient 1"]!r}, "Q1 Patient 1: time, symptoms, stage-3 features (notebook 04, 'AAOMS stages')"
### END HIDDEN TESTS
""", P["ps5_q1_denosumab"]))
add(tests("ps5_q1_paget", f"""
given = answered(stages, "stages")
assert isinstance(given, dict) and "Patient 2" in given, "Q1: a dictionary with 'Patient 1', 'Patient 2', 'Patient 3'"
stage_p = as_stage(given["Patient 2"], "Q1 Patient 2")
assert stage_p not in ("not_mronj", "at_risk", "0"), (
    "Q1 Patient 2: a stopped drug still counts, and bone is exposed (notebook 04, 'The case definition')"
)
assert stage_p != "1", "Q1 Patient 2: a skin fistula is a stage-3 feature (notebook 04, 'AAOMS stages')"
### BEGIN HIDDEN TESTS
assert stage_p == {FULL_STAGES["Patient 2"]!r}, (
    "Q1 Patient 2: stage-3 feature decides, pain or not (notebook 04, 'AAOMS stages')")
### END HIDDEN TESTS
""", P["ps5_q1_paget"]))
add(tests("ps5_q1_short", f"""
given = answered(stages, "stages")
assert isinstance(given, dict) and "Patient 3" in given, "Q1: a dictionary with 'Patient 1', 'Patient 2', 'Patient 3'"
stage_s = as_stage(given["Patient 3"], "Q1 Patient 3")
assert stage_s not in ("1", "2", "3"), "Q1 Patient 3: 6 weeks is not MORE than 8 weeks (notebook 04, 'case definition')"
### BEGIN HIDDEN TESTS
assert stage_s == {FULL_STAGES["Patient 3"]!r}, "Q1 Patient 3: before 8 weeks, no MRONJ yet (notebook 04, 'The case definition')"
### END HIDDEN TESTS
""", P["ps5_q1_short"]))

add(markdown(f"""
### Question 2 {points_line(q("ps5_q2_no_seed_claims", "ps5_q2_written"))}

Patient 1 is on denosumab. The menu below mixes AAOMS 2022 items (which accept operative and nonoperative care
at every stage, chosen with the patient) with claims of the seed texts, which the course teaches beside their
audit. Write `stage_plan`: the items you would discuss with him, chosen from guideline items only (1 point,
autograded: *checked now and at grading:* ids from the menu, no seed claim).
Then, in the text cell after the test, say in two or three sentences whether you would offer him surgery now,
naming what the 2009/2014 table and AAOMS 2022 say (1 point, by hand).
"""))
add(readonly("ps5_menu", f"""
MENU_IDS = {MENU_IDS!r}
rows = ["| id | what it says | source | evidence |", "|---|---|---|---|"]
for entry_id in MENU_IDS:
    entry = knowledge.find(entry_id, "management")
    text = " ".join(str(entry.get("action") or entry.get("claim") or entry.get("text") or "").split())
    rows.append(f"| `{{entry_id}}` | {{text}} | {{', '.join(knowledge.source_keys(entry))}} | {{entry['evidence']}} |")
display(Markdown("\\n".join(rows)))
"""))
add(answer("ps5_q2_answer", """
stage_plan = None
### BEGIN SOLUTION
stage_plan = ["aaoms2022-nonoperative-2", "aaoms2022-stage2-either"]
### END SOLUTION
"""))
add(tests("ps5_q2_no_seed_claims", f"""
chosen = as_id_list(answered(stage_plan, "stage_plan"), "Q2 stage_plan")
unknown = sorted(set(chosen) - set({MENU_IDS!r}))
assert not unknown, f"Q2: not ids of the menu: {{unknown}}; copy each id exactly, in quotes"
assert chosen, "Q2: choose at least one guideline row of the menu"
seed_items = sorted(set(chosen) & set({SEED_ITEMS!r}))
assert not seed_items, (
    f"Q2 {{seed_items}}: seed claims, not guideline rows (notebook 05, 'What the guidelines')"
)
""", P["ps5_q2_no_seed_claims"]))
add(written("ps5_q2_written", """
### BEGIN SOLUTION
**Model answer.** His lesion is stage 2 (infected, confined to the alveolar bone). The 2009 AAOMS table, kept in
2014, advised antibiotics, an antibacterial rinse, pain control and superficial debridement, keeping resection
for stage 3; AAOMS 2022 accepts operative care (debridement or resection) as well as nonoperative care at any
stage, chosen with the patient, because comparative series report better healing after early surgery. I would
control infection and pain now and discuss surgery with him and his oncologist, weighing his prognosis.

### BEGIN MARK SCHEME
- 1 point: names both positions (the 2009/2014 table as history; AAOMS 2022's operative or nonoperative care
  by shared decision) and makes a reasoned choice for him. No point for one position presented as the only
  correct plan.
### END MARK SCHEME
### END SOLUTION
""", P["ps5_q2_written"]))

# ---------------------------------------------------------------------------------------------------------
add(markdown(f"""
## Part B. The virtual patient: the first decisions

The virtual patient of course notebook 08 plays a case forward in weeks. Each decision advances time, draws
outcomes from cited probabilities with a seeded random generator (the same seed and the same decisions give the
same story), and says what the guidelines advise, with the source.

Your patient is the woman of problem set 4: breast cancer with bone metastases, generalised periodontitis and
two teeth of hopeless prognosis, about to start zoledronic acid. Here are the decisions the simulator offers
before the first dose (the seed is fixed at {VP_SEED} for everyone).
"""))
add(readonly("ps5_vp_menu", f"""
VP_CASE = {VP_CASE!r}
VP_SEED = {VP_SEED}
patient = vp.from_case(library_case(VP_CASE), seed=VP_SEED)
print(library_case(VP_CASE).extra["vignette"], "\\n")
for action_id in patient.available_actions():
    print(f"{{action_id!r:28}} {{vp.ACTIONS[action_id].label}}")
"""))
add(markdown(f"""
### Question 3 {points_line(q("ps5_q3_order", "ps5_q3_extract_first", "ps5_q3_in_line"))}

Write, **in order**, the decisions you take for her from today up to and including her first dose, as a list
of the action ids above. The last one must be `"start_therapy"`. Think about what the guidelines ask for before
an oncologic-dose bisphosphonate starts (problem set 4, Question 1).

*Checked now:* action ids in an order the simulator allows, screening, the extraction before the first dose,
which ends the list. *Checked at grading:* no decision the guidelines advise against.
"""))
add(answer("ps5_q3_answer", """
opening_decisions = None
### BEGIN SOLUTION
opening_decisions = ["screening", "extract_before_therapy", "start_therapy"]
### END SOLUTION
"""))
add(tests("ps5_q3_order", f"""
decisions = as_id_list(answered(opening_decisions, "opening_decisions"), "Q3 opening_decisions")
unknown = [d for d in decisions if d not in {VP_ACTIONS!r}]
assert not unknown, f"Q3: not action ids of the simulator: {{unknown}}; copy them from the list above"
assert decisions and decisions[-1] == "start_therapy", (
    "Q3: end your list with 'start_therapy': the decisions up to her first dose (Question 3 text)"
)
assert decisions.count("start_therapy") == 1, "Q3: she starts the drug once"
""", P["ps5_q3_order"]))
add(tests("ps5_q3_extract_first", """
decisions = as_id_list(answered(opening_decisions, "opening_decisions"), "Q3 opening_decisions")
assert "extract_before_therapy" in decisions, (
    "Q3: her hopeless teeth come out BEFORE the first infusion (notebook 06, 'Before therapy')"
)
if "start_therapy" in decisions:
    assert decisions.index("extract_before_therapy") < decisions.index("start_therapy"), (
        "Q3: extract before the drug starts: afterwards every extraction carries the on-therapy risk"
    )
""", P["ps5_q3_extract_first"]))
add(tests("ps5_q3_in_line", f"""
decisions = as_id_list(answered(opening_decisions, "opening_decisions"), "Q3 opening_decisions")
story = {VP_TREE!r}  # every path of the seeded story up to the first dose: prefix -> (possible next, verdict)
verdicts = []
for i, d in enumerate(decisions):
    assert tuple(decisions[:i]) in story, "Q3: too many decisions before her first dose (Question 3)"
    possible = story[tuple(decisions[:i])][0]
    assert d in possible, f"Q3: {{d!r}} is not possible after {{decisions[:i]}}; possible then: {{possible}}"
    verdicts.append((d, story[tuple(decisions[:i + 1])][1]))
assert "screening" in decisions, "Q3: assess her mouth (screening) before anything else (notebook 06, 'Before therapy')"
### BEGIN HIDDEN TESTS
_off = [(d, v) for d, v in verdicts if v == "not_advised"]
assert not _off, f"Q3: advised against here: {{_off}}; assess her mouth first (notebook 06, 'Before therapy')"
### END HIDDEN TESTS
""", P["ps5_q3_in_line"]))
add(markdown("Run this cell to play your decisions and read what the guidelines say about each (not graded)."))
add(code("""
if opening_decisions is None:
    print("Answer Question 3 first, then run this cell again.")
else:
    story = vp.from_case(library_case(VP_CASE), seed=VP_SEED)
    for d in opening_decisions:
        if d not in story.available_actions():
            print(f"'{d}' is not possible at week {story.week}; possible: {story.available_actions()}")
            break
        step = story.decide(d)
        print(f"Week {step.week:3d}  {step.label}\\n          {step.outcome}")
        print(f"          {vp.VERDICTS[step.advice.verdict]}: {step.advice.text()} "
              f"[{', '.join(step.advice.sources)}]\\n")
"""))
add(markdown("""
**Explore (not graded).** The same patient in the virtual-patient widget: play the whole three-year story. Then
start again and, instead of extracting first, start the drug and extract the teeth on therapy. What does the
advice say now, and which source says it? Keep the answer in mind for Questions 4 and 9.
"""))
add(code("""
from osteonecrosis import widgets as osteo_widgets

osteo_widgets.virtual_patient(VP_CASE, seed=VP_SEED)
"""))
add(readonly("ps5_q4_prompt", f"""
### Question 4 {points_line(P["ps5_q4_written"], "marked by hand")}

Explain your plan to her in plain words, as you would in the surgery (4 to 6 sentences, no jargon): why the
two teeth come out **before** the first infusion, what she can do herself to keep her risk low, and what will
happen at her dental check-ups once she is on the drug.
""", cell_type="markdown"))
add(written("ps5_q4_written", """
### BEGIN SOLUTION
**Model answer.** The medicine you are about to start protects your bones from the cancer, but in a small
number of people it stops the jawbone healing after a tooth is taken out. Your two loose teeth cannot be saved,
so the safest time to remove them is now, before the first infusion, while your jaw heals normally; we will
agree the date of your first infusion with your cancer doctor so that the gums have time to heal. You can
lower your risk by cleaning your teeth and gums carefully every day, not smoking, and telling us at once about
any sore spot, loose tooth or numbness. Once you are on the medicine we will see you regularly, about every
six months, keep your gums healthy, and avoid any operation in your mouth that is not really needed.

### BEGIN MARK SCHEME
- 1 point: the reason for the timing in plain words (the drug can stop the jawbone healing after an extraction;
  before the first dose the jaw heals normally), without frightening numbers or jargon.
- 1 point: what she can do (oral hygiene, not smoking, reporting sore spots, loose teeth or numbness early;
  well-fitting dentures if any).
- 1 point: follow-up on the drug (regular check-ups, e.g. 6-monthly; no elective surgery) and coordination
  with the oncologist. Deduct 1 point (minimum 0) for promising that the plan removes all risk, or for
  recommending that she stop or delay her cancer treatment herself.
### END MARK SCHEME
### END SOLUTION
""", P["ps5_q4_written"]))

# ---------------------------------------------------------------------------------------------------------
add(markdown(f"""
## Part C. A cohort experiment: what is a prevention bundle worth?

The cohort lab (course notebook 08) runs the same outcome model over many virtual patients, **with and without
a prevention bundle** (screening, and the extractions it foresees done before the first dose). The cell below
runs it for {COHORT_N:,} patients on oncologic-dose zoledronic acid for bone metastases and {COHORT_N:,} on
alendronate for osteoporosis, with the seed fixed at {COHORT_SEED}. Run it and read the output and its notes
(where every number comes from).
"""))
add(readonly("ps5_cohort_run", f"""
COHORT_N, COHORT_SEED = {COHORT_N}, {COHORT_SEED}
oncology = cohort.simulate("zoledronate", "bone_metastases", n=COHORT_N, seed=COHORT_SEED)
osteoporosis = cohort.simulate("alendronate", "osteoporosis", n=COHORT_N, seed=COHORT_SEED)

rows = ["| cohort | arm | expected per 1000 | simulated per 1000 | cases | 5th-95th percentile per 1000 |",
        "|---|---|---|---|---|---|"]
for name, result in (("zoledronate, bone metastases", oncology), ("alendronate, osteoporosis", osteoporosis)):
    for arm in (result.without, result.bundle):
        low, high = arm.band_per_1000
        rows.append(f"| {{name}} | {{arm.name}} | {{arm.expected_per_1000:.3f}} | {{arm.simulated_per_1000:.2f}} "
                    f"| {{arm.cases}} | {{low:.2f}} to {{high:.2f}} |")
display(Markdown("\\n".join(rows)))
for result in (oncology, osteoporosis):
    print(f"{{result.drug}}, {{result.indication}}:")
    for note in result.notes:
        print("  -", note)
"""))
add(markdown(f"""
### Question 5 {points_line(P["ps5_q5_cases"])}

In the seeded zoledronate run, how many of the {COHORT_N:,} patients developed MRONJ without the bundle, and
how many with it? Write a pair `(cases_without, cases_with)` of whole numbers.

*Checked now:* the pair of counts (there is no hidden test).
"""))
add(answer("ps5_q5_answer", f"""
oncology_cases = None
### BEGIN SOLUTION
_run = cohort.simulate("zoledronate", "bone_metastases", n={COHORT_N}, seed={COHORT_SEED})
oncology_cases = (_run.without.cases, _run.bundle.cases)
### END SOLUTION
"""))
add(tests("ps5_q5_cases", f"""
pair = answered(oncology_cases, "oncology_cases")
assert isinstance(pair, tuple | list) and len(pair) == 2, "Q5: write a pair: (cases_without, cases_with)"
without, with_bundle = (int(as_number(x, "Q5 each count")) for x in pair)
assert (without, with_bundle) == {ONC_CASES!r}, (
    "Q5: read the 'cases' column of the zoledronate rows above; the seed is fixed (Question 5 text)"
)
""", P["ps5_q5_cases"]))
add(markdown(f"""
### Question 6 {points_line(q("ps5_q6_case", "ps5_q6_float", "ps5_q6_edges"))}

How many patients must receive the bundle to prevent one case? If the bundle lowers the incidence from
`without_per_1000` to `with_per_1000` cases per 1000 patients, it prevents `without_per_1000 - with_per_1000`
cases per 1000, so about `1000 / (without_per_1000 - with_per_1000)` patients must receive it to prevent one.
Write that function. When the bundle prevents nothing (the difference is zero or negative), return
`math.inf` (infinity: no number of patients is enough).

*Checked now:* the worked examples and a bundle that prevents nothing. *Checked at grading:* more cases with
no benefit and small differences.
"""))
add(answer("ps5_q6_answer", """
def patients_to_prevent_one(without_per_1000, with_per_1000):
    \"\"\"How many patients must receive the bundle to prevent one case (math.inf if it prevents none).\"\"\"
    ### BEGIN SOLUTION
    prevented = without_per_1000 - with_per_1000
    if prevented <= 0:
        return math.inf
    return 1000 / prevented
    ### END SOLUTION
"""))
add(tests("ps5_q6_case", """
result = patients_to_prevent_one(45.0, 40.0)
assert result is not None, "Q6: end your function with return ... (notebook 00, 'Small functions')"
assert abs(as_number(result, "Q6 patients_to_prevent_one(45.0, 40.0)") - 200) < 1e-6, (
    f"Q6: got {result}; 45 - 40 = 5 per 1000 prevented: 1000 / 5 (Question 6 example)"
)
""", P["ps5_q6_case"]))
add(tests("ps5_q6_float", """
result = patients_to_prevent_one(10.0, 6.0)
assert isinstance(result, int | float) and not isinstance(result, bool), "Q6: return a number, not text (notebook 00, 'Small functions')"
assert abs(result - 250) < 1e-6, f"Q6: got {result}; 10 - 6 = 4 per 1000 prevented: 1000 / 4 = 250"
""", P["ps5_q6_float"]))
add(tests("ps5_q6_edges", """
result = patients_to_prevent_one(2.0, 1.0)
assert abs(as_number(result, "Q6 patients_to_prevent_one(2.0, 1.0)") - 1000) < 1e-6, f"Q6: got {result}: 1 case prevented per 1000."
try:
    nothing = patients_to_prevent_one(5.0, 5.0)
except ZeroDivisionError:
    raise AssertionError("Q6: when nothing is prevented, return math.inf; never divide by 0 (Question 6)") from None
assert nothing == math.inf, f"Q6: when nothing is prevented, return math.inf, not {nothing} (Question 6)"
### BEGIN HIDDEN TESTS
for _without, _with in ((0.1, 0.1), (5.0, 6.0), (0.0, 0.0)):
    _r = patients_to_prevent_one(_without, _with)
    assert _r == math.inf, (
        f"Q6: nothing prevented ({_without}, {_with}): return math.inf, not {_r}"
    )
assert abs(patients_to_prevent_one(0.105, 0.092) - 1000 / 0.013) < 1e-6, "Q6: small differences need no rounding (Question 6)"
### END HIDDEN TESTS
""", P["ps5_q6_edges"]))
add(markdown(f"""
### Question 7 {points_line(q("ps5_q7_oncology", "ps5_q7_osteoporosis"))}

Use your function and the **expected per 1000** column (the model's analytic value, free of the chance of a
single run) to compute, for each cohort, how many patients must receive the bundle to prevent one case.

*Checked now:* the oncology number. *Checked at grading:* the osteoporosis number.
"""))
add(answer("ps5_q7_answer", """
nnt_oncology = None
nnt_osteoporosis = None
### BEGIN SOLUTION
nnt_oncology = patients_to_prevent_one(oncology.without.expected_per_1000, oncology.bundle.expected_per_1000)
nnt_osteoporosis = patients_to_prevent_one(osteoporosis.without.expected_per_1000,
                                           osteoporosis.bundle.expected_per_1000)
### END SOLUTION
"""))
add(tests("ps5_q7_oncology", f"""
value = as_number(answered(nnt_oncology, "nnt_oncology"), "Q7 nnt_oncology")
reference = {ONC_NNT!r}
assert abs(value - reference) <= 0.01 * reference, (
    f"Q7: got {{value:g}}; use the zoledronate 'expected per 1000' rows, without minus with (Question 7)"
)
""", P["ps5_q7_oncology"]))
add(tests("ps5_q7_osteoporosis", f"""
value = as_number(answered(nnt_osteoporosis, "nnt_osteoporosis"), "Q7 nnt_osteoporosis")
assert value > 0, "Q7: a number of patients is positive"
### BEGIN HIDDEN TESTS
_reference = {OP_NNT!r}
assert abs(value - _reference) <= 0.01 * _reference, (
    f"Q7: got {{value:g}}; use the alendronate 'expected per 1000' rows (Question 7)"
)
### END HIDDEN TESTS
""", P["ps5_q7_osteoporosis"]))
add(markdown("A quick check before the next question (not graded)."))
add(code("""
teaching.quiz(
    "The zoledronate cohort's 5th-95th percentile band is several times wider than the gap between the arms. "
    "What makes it so wide?",
    ["The cited incidence range and the extraction relative risk are uncertain, and the model draws them",
     "The cohort is too small to count cases",
     "The random seed is fixed"],
    answer="The cited incidence range and the extraction relative risk are uncertain, and the model draws them",
    explanation="Each replicate draws the baseline incidence within its cited range and the relative risk within "
                "its 95% confidence interval: the band shows how uncertain the sources are, not only chance.",
    hints={"The cohort is too small to count cases": "Thousands of patients give hundreds of cases; read the notes.",
           "The random seed is fixed": "A fixed seed makes the run repeatable; it does not widen anything."},
)
"""))
add(markdown("""
**Explore (not graded).** The cohort lab shows the same experiment with sliders. Move the two sliders marked
*assumption* to their extremes: how much does the gap between the arms change? Which inputs have no slider,
and why? Then answer Question 8.
"""))
add(code(f"""
from osteonecrosis import widgets as osteo_widgets

osteo_widgets.cohort_lab(drug="zoledronate", indication="bone_metastases", n={COHORT_N}, seed={COHORT_SEED})
"""))
add(markdown(f"""
### Question 8 {points_line(q("ps5_q8_visible", "ps5_q8_complete"))}

A model is only as good as its inputs. Here are five inputs of the cohort model, each described by the
knowledge base. Which of them are **teaching assumptions** (numbers the course chose because no verified source
gives them) rather than published figures? Answer with a list of ids.

*Checked now:* ids from the list, not the extraction effect, and how many you chose. *Checked at grading:* the
exact list.
"""))
add(readonly("ps5_inputs", f"""
COHORT_INPUTS = {COHORT_INPUTS!r}
for entry_id in COHORT_INPUTS:
    entry = knowledge.find(entry_id, "simulation")
    print(f"{{entry_id}}:\\n    {{' '.join(str(entry['text']).split())}}\\n")
"""))
add(answer("ps5_q8_answer", """
teaching_assumptions = None
### BEGIN SOLUTION
teaching_assumptions = ["cohort-share-needing-extraction", "cohort-share-foreseeable", "cohort-stage-at-diagnosis"]
### END SOLUTION
"""))
add(tests("ps5_q8_visible", f"""
chosen = as_id_list(answered(teaching_assumptions, "teaching_assumptions"), "Q8 teaching_assumptions")
unknown = sorted(set(chosen) - set({COHORT_INPUTS!r}))
assert not unknown, f"Q8: not ids of the list above: {{unknown}}"
assert "cohort-extraction-effect" not in chosen, (
    "Q8: the extraction effect comes from a meta-analysis: a published figure (Question 8 list)"
)
""", P["ps5_q8_visible"]))
add(tests("ps5_q8_complete", f"""
chosen = as_id_list(answered(teaching_assumptions, "teaching_assumptions"), "Q8 teaching_assumptions")
assert len(chosen) == len(set(chosen)), "Q8: each id should appear once"
assert len(chosen) == {len(ASSUMED)}, (
    f"Q8: {len(ASSUMED)} of the five are teaching assumptions; you chose {{len(chosen)}}")
### BEGIN HIDDEN TESTS
_missing, _extra = missing_and_extra(chosen, {ASSUMED!r})
assert not _missing and not _extra, (
    f"Q8: missing {{_missing}}; published, not assumed {{_extra}}: does each cite a study? (Question 8)"
)
### END HIDDEN TESTS
""", P["ps5_q8_complete"]))

# ---------------------------------------------------------------------------------------------------------
add(readonly("ps5_q9_prompt", f"""
## Part D. Reflection

### Question 9 {points_line(P["ps5_q9_written"], "marked by hand")}

Write a reflection of 200 to 300 words. Address all three points:

1. **The cohort.** What do your numbers from Questions 5 to 7 say about where a prevention bundle is worth the
   most effort, and how far do they depend on the teaching assumptions of Question 8?
2. **The individual.** Why can neither the virtual patient nor the cohort tell you the risk of the real woman
   of Part B? What would you tell her instead, and from which source?
3. **The evidence.** Name one claim of the seed texts that you now treat with caution, say why, and say what the
   guidelines or trials say instead.
""", cell_type="markdown"))
add(written("ps5_q9_written", """
### BEGIN SOLUTION
**Model answer (outline).** (1) In the seeded runs the bundle prevents a few cases per 1000 oncology patients
on zoledronic acid, so a few hundred patients must receive it to prevent one case, whereas among osteoporosis
patients on alendronate it must reach tens of thousands: the absolute benefit follows the baseline risk, which
is why MASCC/ISOO/ASCO 2019 puts the full pre-treatment package on oncologic-dose patients. The size of the gap,
though, rests on two teaching assumptions (the share who need an extraction on therapy and the share a
screening foresees); change them and the number of patients changes, while the cited inputs (incidence range,
extraction relative risk) are themselves uncertain, as the wide band shows. (2) A simulation draws one story
from population ranges; it knows nothing about her mouth, her other drugs or her cancer, and a good decision
can meet bad luck. I would tell her the cited absolute range for her group (for example the MASCC/ISOO/ASCO
2019 figures for zoledronic acid in cancer) and what lowers it, without a personal prediction. (3) For example,
the 'Wonder' rinse with tetracycline: it is a compounded mucositis rinse and no MRONJ guideline recommends it;
the AAOMS table uses an antibacterial rinse (chlorhexidine in practice). Or the 60-session HBO schedule: the one
MRONJ RCT used 40 sessions and showed no significant difference in complete healing.

### BEGIN MARK SCHEME
- 2 points, the cohort: absolute benefit larger in oncology, expressed with the student's own numbers
  (1); dependence on the two (or three) teaching assumptions and the uncertainty of cited inputs (1).
- 2 points, the individual: a model gives population-level, assumption-laden draws, not a personal risk;
  good decisions versus good outcomes (1); tells her a cited absolute range with its source, and what lowers
  it (1).
- 2 points, the evidence: a seed claim correctly identified (1) and its audit stated correctly with a source
  (1); e.g. the 'Wonder' rinse, 60 HBO sessions, the 74% 'resolution' (long-term pain relief in a mailed
  survey), the stage-based surgical scheme from one 19-case series, or 'always stop the bisphosphonate'.
  Presenting an unverified item (e.g. AAOMS 2014's 2-month holiday) as established loses this point.
- Length outside 150-350 words: deduct 1 point (minimum 0).
### END MARK SCHEME
### END SOLUTION
""", P["ps5_q9_written"]))

add(markdown("""
## Before you submit

Run every cell from the top (*Run > Restart Kernel and Run All Cells*), check that the visible tests pass, and
save. Then submit as your instructor told you.

**Summary.** Stage first (exclusions, the 8-week rule, stage-3 features), then plan from the guideline table,
not from the seed texts. Before an oncologic-dose drug, assess the mouth and finish the necessary extractions
first. A prevention bundle is worth the most where the baseline risk is high, and a model's answer is only as
good as its assumptions: it teaches, it does not predict one patient's future.
"""))
add(readonly("ps5_references", """
teaching.references(["aaoms2022", "aaoms2009", "aaoms2014", "mascc2019", "sdcep2017", "ects2022",
                     "extraction_meta", "surgery_vs_conservative", "freiberger2012", "magic_mouthwash", "seed_es"])
"""))

NOTEBOOK = notebook(cells, rests_on=RESTS_ON, forbidden_calls=FORBIDDEN)

if __name__ == "__main__":
    write(NOTEBOOK, OUT)
    auto = sum(v for k, v in P.items() if "written" not in k)
    manual = sum(v for k, v in P.items() if "written" in k)
    print(f"wrote {OUT}: {len(cells)} cells, {auto} autograded + {manual} manual = {auto + manual} points",
          file=sys.stderr)
