"""Build solutions/ps3_management/ps3_management.ipynb (the nbgrader source).

Run: .venv/bin/python tools/assignments/ps3_management.py && make release && make check
Plan items are ids of knowledge entries (management.yaml). Every expected value is computed HERE from the
knowledge base (entries marked answer: true) and written into the tests as a literal. Management of MRONJ
itself (operate or not) is graded by hand on the reasoning: AAOMS 2022 accepts operative and nonoperative care
by shared decision, and the 2009/2014 stage table is history (issue 10).
"""

from __future__ import annotations

from pathlib import Path

from classroom import authoring as A
from osteonecrosis import knowledge, library_case, management
from osteonecrosis.plan import not_mronj_reasons
from osteonecrosis.staging import stage

ID = "ps3_management"
OUT = Path(__file__).resolve().parents[2] / "solutions" / ID / f"{ID}.ipynb"
BOUQUOT_WRONG = ("healing of the jaw lesions, confirmed on radiographs",
                 "cure of MRONJ after curettage in a controlled trial",
                 "patients who needed no further surgery")

# Shown as "Patient 1" ... "Patient 3": a case id would give the answer away.
PATIENTS = {"onc-denosumab-stage2": "Patient 1", "onc-radiotherapy-orn": "Patient 2", "op-short-exposure": "Patient 3"}
NOT_MRONJ_REASONS = ["jaw_radiotherapy", "jaw_metastasis", "short_exposure", "no_drug"]
MENU_IDS = sorted({i["id"] for s in ["at_risk", "0", "1", "2", "3"] for i in management.stage_actions(s)}
                  | {i["id"] for i in management.not_mronj_actions(NOT_MRONJ_REASONS)})
HBO_ASKED = ["hbo-marx-prophylaxis", "hbo-freiberger2012-rct", "hbo-dahanca21"]
STAGING = ["mronj-case-definition", "crit-exposure", "crit-exposed-bone", "crit-no-radiation-no-metastasis",
           "aaoms2022-staging"]
FORBIDDEN = ["osteonecrosis.staging.stage", "osteonecrosis.plan.make_plan", "osteonecrosis.plan.not_mronj_reasons",
             "osteonecrosis.management.hbo_sessions_total", "osteonecrosis.management.hbo_chamber_hours",
             "osteonecrosis.management.unsupported_hbo_schedules"]
RESTS_ON: dict[str, list[str]] = {
    "q1_tests": STAGING,
    "q1_written": ["surgery-stage2-success"],
    "q2_tests": STAGING + ["not-mronj-radiotherapy"],
    "q3_tests": STAGING + ["not-mronj-short", "rule-short-exposure"],
    **{f"q4_{p.removeprefix('hbo-').replace('-', '_')}": [p] for p in HBO_ASKED},
    "q5_tests": [p["id"] for p in management.hbo_protocols() if not p["id"].startswith("hbo-seed")],
    "q6_tests": ["hbo-marx-prophylaxis"],
    "q7_written": [],
    "q8_tests": ["ion-curettage"],
    "q9_author": ["diaz-reverand-2018-series"],
    "q9_patients": ["diaz-reverand-2018-series"],
    "q10_written": ["diaz-reverand-2018-series", "ion-curettage"],
}


def expected_plan(case_id: str) -> list[str]:
    """The plan items of a patient who does not have MRONJ, computed when the assignment is built."""
    case = library_case(case_id)
    return sorted(i["id"] for i in management.not_mronj_actions(not_mronj_reasons(case)))


def build() -> list:
    outcome = knowledge.find("ion-curettage", "management")["outcome"]
    options = dict(zip("ABCD", (BOUQUOT_WRONG[0], outcome, BOUQUOT_WRONG[1], BOUQUOT_WRONG[2]), strict=True))
    series = knowledge.find("diaz-reverand-2018-series", "management")
    cells = []
    cells.append(A.markdown(f"""
        # Problem set 3 · Management protocols

        *Time: about 60 to 75 minutes. Before you start: course notebooks 00 (primer), 04 (staging) and 05
        (management).*

        {A.TOTAL_PLACEHOLDER}

        By the end you should be able to:

        1. stage a patient, weigh operative against nonoperative care as AAOMS 2022 does, and recognise when
           there is no MRONJ to treat;
        2. read HBO schedules (pressure, minutes, sessions before and after surgery) and say which are supported;
        3. weigh the seed's surgical protocol under antiresorptives against the guidelines;
        4. appraise two claims of the seed texts: what a figure measures, and who said it on how many patients.

        **How to work.** Replace each `raise NotImplementedError()` with your answer, run the cell, then its
        test cell. Plans are **lists of plan-item ids** from the menu printed below (order does not matter).
        Each test cell runs **visible checks now** (the form of the answer, the example the question shows);
        when they pass it says so, and **that is not your grade**: hidden tests check the exact answer at
        grading. If a test cell says a name "is not defined", fix the **first** error of its answer cell.
        Work by hand: answers that call `staging.stage`, `make_plan` or the HBO helpers of
        `osteonecrosis.management` are flagged for your instructor. Written answers (*graded by hand*) go where
        it says "YOUR ANSWER HERE".

        > This problem set teaches; it is not a clinical decision tool.
        """))
    cells.append(A.readonly("setup", f"""
        from osteonecrosis import management, teaching

        BOUQUOT_OPTIONS = {options!r}
        teaching.disclaimer()
        """))

    # ---- Part A: stage, then plan -------------------------------------------------------------------------
    cells.append(A.markdown("""
        ## Part A · Stage first, then plan

        How to manage MRONJ has changed. The AAOMS stage table of 2009 (kept in 2014) was conservative first and
        kept resection for stage 3; AAOMS 2022, the course's reference standard, accepts operative (debridement,
        resection) and nonoperative care at every stage, chosen with the patient (notebook 05, 'Operative and nonoperative care, side by side').
        The menu below lists the AAOMS 2022 items for each stage and the course's items for patients who do **not**
        have MRONJ (`management.history_stage_actions` prints the 2009/2014 table, for comparison). Run the cell
        and keep it in view.
        """))
    cells.append(A.code("""
        menu = []
        for stage in ["at_risk", "0", "1", "2", "3"]:
            menu += management.stage_actions(stage)
        menu += management.not_mronj_actions(["jaw_radiotherapy", "jaw_metastasis", "short_exposure", "no_drug"])
        for item in menu:
            print(f"{item['id']:34} {item['action']}")
        """))
    p1 = library_case("onc-denosumab-stage2")
    stage1 = stage(p1).stage
    evidence = knowledge.find("surgery-stage2-success", "management")
    cells.append(A.markdown(f"""
        ### Question 1 · Patient 1: stage, then weigh the options {A.points_line(3)}

        **Patient 1.** {p1.extra['vignette']}

        First write his AAOMS 2022 stage in `stage_patient_1`, as the course's code in quotes (1 point,
        autograded). *Checked now:* a stage code, not stage 1 or 3. *Checked at grading:* the stage.
        """))
    cells.append(A.answer("q1_stage", f"""
        stage_patient_1 = None
        ### BEGIN SOLUTION
        stage_patient_1 = "{stage1}"
        ### END SOLUTION
        """))
    cells.append(A.tests("q1_tests", f"""
        from osteonecrosis.exercises import answer_of, as_stage, visible_checks_passed

        answer_of("stage_patient_1")
        given = as_stage(stage_patient_1, "Q1 Patient 1")
        assert given != "1", "Q1 Patient 1: pain and pus are infection, not stage 1 (notebook 04, 'AAOMS stages')"
        assert given != "3", "Q1 Patient 1: alveolar bone only: not stage 3 (notebook 04, 'AAOMS stages')"
        visible_checks_passed("Q1")
        ### BEGIN HIDDEN TESTS
        assert given == {stage1!r}, (
            "Q1 Patient 1: 16 weeks, pain, pus, alveolar bone only (notebook 04, 'AAOMS stages')")
        ### END HIDDEN TESTS
        """, points=1))
    cells.append(A.markdown(f"""
        Then, in four to six sentences (2 points, graded by hand): what would you offer him, operative or
        nonoperative care, and why? Name what the 2009/2014 AAOMS table advised for his stage, what AAOMS 2022
        changed, and the evidence that moved it (for example the stage-2 cohort in notebook 05: surgery
        succeeded in {evidence["surgical_success_percent"]:g}% against {evidence["nonsurgical_success_percent"]:g}%
        without, in a small retrospective study). There is no single right plan: the reasoning is graded.
        """))
    cells.append(A.written("q1_written", f"""
        ### BEGIN SOLUTION
        **Model answer.** He has stage {stage1} MRONJ: exposed bone for more than 8 weeks with pain and
        infection, confined to the alveolar bone. The 2009 AAOMS table (kept in 2014) advised symptomatic care
        for stage 2: oral antibiotics, an antibacterial rinse, pain control and only superficial debridement,
        keeping resection for stage 3. AAOMS 2022 accepts operative care (debridement or resection with
        primary closure) as well as nonoperative care at any stage, decided with the patient. The shift rests on
        comparative series such as the stage-2 cohort in which surgery succeeded in
        {evidence["surgical_success_percent"]:g}% against {evidence["nonsurgical_success_percent"]:g}% with
        nonsurgical care (retrospective, small, not randomised). I would control the infection and pain first
        and discuss early surgery with him and his oncologist, weighing his prognosis and fitness.

        **Mark scheme (2 points).**
        - 1 point: names both positions: the 2009/2014 table's conservative-first care for stage 2 (history) and
          AAOMS 2022's acceptance of operative and nonoperative care by shared decision.
        - 1 point: a reasoned choice for this patient that cites the evidence and its limits (a small
          retrospective comparison; prognosis and fitness; the patient's preference; oncology input).
        - No point for grading one position as the only correct plan.
        ### END SOLUTION
        """, points=2))
    for q, cid, name, pts in [("q2", "onc-radiotherapy-orn", "plan_patient_2", 2),
                              ("q3", "op-short-exposure", "plan_patient_3", 2)]:
        case = library_case(cid)
        label = PATIENTS[cid]
        want = expected_plan(cid)
        hint = {"q2": "radiotherapy to the jaws excludes MRONJ: no AAOMS items",
                "q3": "8 weeks or less is not MRONJ yet: no AAOMS items"}[q]
        cells.append(A.markdown(f"""
            ### Question {q[1]} · A plan for {label} {A.points_line(pts)}

            **{label}.** {case.extra['vignette']}

            Write `{name}`: the list of plan-item ids from the menu that apply to this patient.
            *Checked now:* ids from the menu, each once, and no AAOMS items (they are for MRONJ). *Checked at
            grading:* the whole list.
            """))
        body = ", ".join(f'"{i}"' for i in want)
        cells.append(A.answer(f"{q}_plan", f"{name} = None\n### BEGIN SOLUTION\n{name} = [{body}]\n### END SOLUTION"))
        cells.append(A.tests(f"{q}_tests", f"""
            from osteonecrosis.exercises import answer_of, as_id_list, missing_and_extra, visible_checks_passed

            answer_of("{name}")
            given = as_id_list({name}, "{q.upper()} {name}")
            menu_ids = {MENU_IDS!r}
            unknown = [i for i in given if i not in menu_ids]
            assert not unknown, f"{q.upper()}: not on the menu (check the spelling): {{unknown}}"
            assert len(given) == len(set(given)), "{q.upper()}: each item once is enough"
            staged = [i for i in given if i.startswith("aaoms")]
            assert not staged, f"{q.upper()} {label}: {hint} (notebook 04, 'The case definition')"
            visible_checks_passed("{q.upper()}")
            ### BEGIN HIDDEN TESTS
            _missing, _extra = missing_and_extra(given, {want!r})
            assert not _missing and not _extra, (
                f"{q.upper()} {label}: {hint} (missing {{len(_missing)}}, not applicable {{len(_extra)}})")
            ### END HIDDEN TESTS
            """, points=pts))

    # ---- Part B: HBO ------------------------------------------------------------------------------------------
    cells.append(A.markdown("""
        ## Part B · Hyperbaric oxygen schedules

        The Spanish seed describes HBO as 100% oxygen above 1 atmosphere for 90 minutes, "in 30, 60 or more
        sessions". The schedules of the trials and protocols, side by side (notebook 05):
        """))
    cells.append(A.code("""
        for p in management.hbo_protocols():
            print(f"{p['id']:24} {p['text']}")
        """))
    cells.append(A.markdown(f"""
        ### Question 4 · Sessions in all {A.points_line(3)}

        Fill in `hbo_sessions`: the **total** number of chamber sessions (before and after surgery together) of
        `"hbo-marx-prophylaxis"`, `"hbo-freiberger2012-rct"` and `"hbo-dahanca21"`. Worked example: a schedule
        of 20 sessions before and 10 after is 30 sessions. *Checked now:* the three ids, numbers, and Marx's
        sessions after surgery. *Checked at grading:* each total (one point per schedule).
        """))
    cells.append(A.answer("q4_sessions", """
        hbo_sessions = None
        ### BEGIN SOLUTION
        hbo_sessions = {"hbo-marx-prophylaxis": 30, "hbo-freiberger2012-rct": 40, "hbo-dahanca21": 40}
        ### END SOLUTION
        """))
    totals = {pid: management.hbo_sessions_total(pid) for pid in HBO_ASKED}
    for pid in HBO_ASKED:  # one schedule, one cell, one point
        lines = [
            "from osteonecrosis.exercises import answer_of, as_number, visible_checks_passed",
            "",
            'hbo_sessions = answer_of("hbo_sessions")',
            'assert isinstance(hbo_sessions, dict), '
            '"Q4: write a dictionary {schedule id: sessions} (notebook 00, \'Dictionaries\')"',
            f"wanted = {sorted(HBO_ASKED)!r}",
            'assert sorted(hbo_sessions) == wanted, f"Q4: give exactly these three schedules: {wanted}"',
            f"n = as_number(hbo_sessions[{pid!r}], {f'Q4 {pid}'!r})",
        ]
        if pid == "hbo-marx-prophylaxis":
            lines.append('assert n > 20, "Q4: Marx: sessions BEFORE and AFTER surgery (notebook 05, \'Hyperbaric oxygen\')"')
        lines += [f'visible_checks_passed("Q4 {pid}")', "### BEGIN HIDDEN TESTS",
                  f'assert n == {totals[pid]!r}, "Q4 {pid}: count every session, before and after surgery"',
                  "### END HIDDEN TESTS"]
        cells.append(A.tests(f"q4_{pid.removeprefix('hbo-').replace('-', '_')}", "\n".join(lines), points=1))
    cells.append(A.markdown(f"""
        ### Question 5 · The unsupported schedule {A.points_line(2)}

        One schedule in the list is used by no trial, series or guideline the course found. Write its id as
        text in `unsupported_schedule`. *Checked now:* an id from the list, not one of Question 4's schedules.
        *Checked at grading:* which one.
        """))
    cells.append(A.answer("q5_unsupported", """
        unsupported_schedule = None
        ### BEGIN SOLUTION
        unsupported_schedule = "hbo-seed-60"
        ### END SOLUTION
        """))
    hbo_ids = [p["id"] for p in management.hbo_protocols()]
    cells.append(A.tests("q5_tests", f"""
        from osteonecrosis.exercises import answer_of, visible_checks_passed

        unsupported_schedule = answer_of("unsupported_schedule")
        ids = {hbo_ids!r}
        assert unsupported_schedule in ids, f"Q5: write one id from the list, in quotes: {{ids}}"
        assert unsupported_schedule not in {HBO_ASKED!r}, (
            "Q5: that is one of Question 4's trial or protocol schedules (notebook 05, 'Hyperbaric')")
        visible_checks_passed("Q5")
        ### BEGIN HIDDEN TESTS
        assert unsupported_schedule in {management.unsupported_hbo_schedules()!r}, (
            "Q5: trials used 30 or 40 sessions; the seed? (notebook 05, 'Hyperbaric oxygen')")
        ### END HIDDEN TESTS
        """, points=2))
    cells.append(A.markdown(f"""
        ### Question 6 · Hours in the chamber {A.points_line(2)}

        How many **hours** under pressure does the whole Marx prophylaxis schedule take (all its sessions, at
        the minutes per session given)? Store the number in `marx_hours`. Worked example: 4 sessions of 90
        minutes are 6 hours. *Checked now:* a number of hours, not minutes. *Checked at grading:* its value.
        """))
    cells.append(A.answer("q6_hours", """
        marx_hours = None
        ### BEGIN SOLUTION
        marx_hours = (20 + 10) * 90 / 60
        ### END SOLUTION
        """))
    cells.append(A.tests("q6_tests", f"""
        from osteonecrosis.exercises import answer_of, as_number, visible_checks_passed

        answer_of("marx_hours")
        value = as_number(marx_hours, "Q6 marx_hours")
        assert value < 1000, "Q6: hours, not minutes: divide the minutes by 60 (Question 6 example)"
        visible_checks_passed("Q6")
        ### BEGIN HIDDEN TESTS
        assert abs(value - {management.hbo_chamber_hours("hbo-marx-prophylaxis")!r}) < 0.01, (
            "Q6: (before + after) x minutes / 60 (notebook 05, 'Hyperbaric oxygen')")
        ### END HIDDEN TESTS
        """, points=2))

    # ---- Part C: surgery under antiresorptives ----------------------------------------------------------------
    cells.append(A.markdown(f"""
        ## Part C · The surgical protocol under antiresorptives

        The Spanish seed's protocol for oral surgery in a patient on antiresorptives: strict asepsis; an
        atraumatic technique; primary closure; **always stop the bisphosphonate beforehand**; **antibiotics** to
        help healing and prevent infection; and a 'Wonder' rinse with tetracycline (notebook 05 and 06).

        ### Question 7 · Keep, qualify or correct {A.points_line(3, "graded by hand")}

        Choose **two** of the bold elements and the rinse. For each, say in one or two sentences what the
        guidelines say, and whether you would keep it, qualify it or drop it.
        """))
    cells.append(A.written("q7_written", """
        ### BEGIN SOLUTION
        **Model answer.** *Always stopping the bisphosphonate:* the guidelines disagree and none says "always":
        AAOMS 2009 suggested a pause only for some long-term oral users, ECTS 2022 allows pausing a
        bisphosphonate but says never to stop denosumab, SDCEP finds no evidence that stopping helps (the drug
        stays in bone for years) and leaves the decision to the prescriber. Qualify: ask the prescriber.
        *Antibiotics:* a contested point. SDCEP finds the evidence insufficient for antibiotic prophylaxis
        against MRONJ after extraction; the Italian SICMF-SIPMO and German S3 guidelines are reported to recommend
        perioperative cover. Antibiotics also treat infected MRONJ (stages 2 and 3). Qualify: name the positions
        and decide case by case.
        *The 'Wonder' rinse:* a compounded mucositis rinse ('magic mouthwash'); no MRONJ guideline recommends
        it; the AAOMS table names an antibacterial rinse. Drop it.

        **Mark scheme (3 points: 1 per element).**
        - Drug holiday: guidelines disagree / no evidence / prescriber decides / never stop denosumab abruptly.
        - Antibiotics: names the disagreement (SDCEP: evidence insufficient; Italian and German guidelines
          reported to recommend cover) or that they treat infection (stages 2-3). Calling prophylaxis a myth,
          or settled either way, earns no point.
        - Rinse: a mucositis rinse not recommended by any MRONJ guideline; an antibacterial rinse is what the
          table names.
        - Asepsis, atraumatic technique or primary closure may replace one element if the student says it is
          good practice without MRONJ-specific guideline evidence (primary closure: reported in AAOMS 2022).
        ### END SOLUTION
        """, points=3))

    # ---- Part D: appraising the seeds -----------------------------------------------------------------------
    option_lines = "\n".join(f"        - **{k}** {v}" for k, v in options.items())
    cells.append(A.markdown(f"""
        ## Part D · Appraising the seeds' claims

        ### Question 8 · What does the 74% measure? {A.points_line(2)}

        The French seed says that removing the damaged marrow (curettage and decortication) "resolves the problem
        in 74% of patients with jaw lesions". The figure comes from a 1995 series by Bouquot and Christian.
        What did that 74% measure? Write the letter in `bouquot_74_measures`. *Checked now:* one of the
        letters. *Checked at grading:* which one.

{option_lines}
        """))
    cells.append(A.answer("q8_bouquot", """
        bouquot_74_measures = None
        ### BEGIN SOLUTION
        bouquot_74_measures = "B"
        ### END SOLUTION
        """))
    letter = next(k for k, v in options.items() if v == outcome)
    cells.append(A.tests("q8_tests", f"""
        from osteonecrosis.exercises import answer_of, visible_checks_passed

        bouquot_74_measures = answer_of("bouquot_74_measures")
        assert bouquot_74_measures in {sorted(options)!r}, "Q8: write one letter in quotes: 'A', 'B', 'C' or 'D'"
        visible_checks_passed("Q8")
        ### BEGIN HIDDEN TESTS
        assert bouquot_74_measures == {letter!r}, (
            "Q8: how were the 190 asked, and about what? (notebook 07, 'Reading the seed')")
        ### END HIDDEN TESTS
        """, points=2))
    cells.append(A.markdown(f"""
        ### Question 9 · Whose scheme? {A.points_line(2)}

        The Spanish seed's stage-based surgery (medical care for stage 1, sequestrectomy for stage 2,
        mandibulectomy for stage 3) is credited to one paper. Fill in `stage_scheme_source` with the **surname of
        its first author** (text) and the **number of patients** it studied. *Checked now:* the keys, text
        and a number, and not the AAOMS author. *Checked at grading:* the author and the number (one point each).
        """))
    cells.append(A.answer("q9_source", """
        stage_scheme_source = None
        ### BEGIN SOLUTION
        stage_scheme_source = {"first_author": "Díaz-Reverand", "patients": 19}
        ### END SOLUTION
        """))
    q9_form = [
        "from osteonecrosis.exercises import answer_of, as_number, visible_checks_passed",
        "",
        'stage_scheme_source = answer_of("stage_scheme_source")',
        'assert isinstance(stage_scheme_source, dict), '
        '"Q9: write a dictionary with two keys (notebook 00, \'Dictionaries\')"',
        'assert set(stage_scheme_source) == {"first_author", "patients"}, '
        '"Q9: use the keys \'first_author\' and \'patients\'"',
    ]
    cells.append(A.tests("q9_author", "\n".join(q9_form + [
        'author = stage_scheme_source["first_author"]',
        'assert isinstance(author, str), "Q9 first_author: the surname is text, in quotes"',
        'assert "ruggiero" not in author.lower(), "Q9: Ruggiero leads AAOMS, not this series (notebook 05, \'What the guidelines\')"',
        'visible_checks_passed("Q9 first_author")',
        "### BEGIN HIDDEN TESTS",
        "import unicodedata",
        '_norm = unicodedata.normalize("NFKD", author).encode("ascii", "ignore")',
        'assert b"diaz" in _norm.lower(), "Q9: the first author of the Madrid series (notebook 05, \'What the guidelines\')"',
        "### END HIDDEN TESTS",
    ]), points=1))
    cells.append(A.tests("q9_patients", "\n".join(q9_form + [
        'n = as_number(stage_scheme_source["patients"], "Q9 patients")',
        'visible_checks_passed("Q9 patients")',
        "### BEGIN HIDDEN TESTS",
        f'assert n == {series["patients"]!r}, "Q9 patients: how many in the series? (notebook 05, \'What the guidelines advise\')"',
        "### END HIDDEN TESTS",
    ]), points=1))
    cells.append(A.markdown(f"""
        ### Question 10 · How much weight? {A.points_line(3, "graded by hand")}

        In four to six sentences: how much weight should a clinician give to the stage-based scheme of
        question 9 and to the 74% of question 8? Name the design and size of each source, what it can and
        cannot show, and what you would rely on instead.
        """))
    cells.append(A.written("q10_written", f"""
        ### BEGIN SOLUTION
        **Model answer.** The stage scheme rests on one retrospective series of {series['patients']} patients
        from one Madrid hospital, whose results we could not even read; it is cited by an unpublished
        manuscript, not by a guideline, so it is a hypothesis, not a standard. The 74% is long-term pain relief
        reported in a mailed questionnaire by patients with facial neuralgia after curettage of 'NICO' lesions,
        with no control group; it says nothing about healing of MRONJ lesions, and NICO itself is disputed.
        Both are low in the hierarchy of evidence (uncontrolled series, selection and recall bias). I would rely
        on the guideline tables (AAOMS, MASCC/ISOO/ASCO) and on the comparative cohorts and trials behind them,
        and discuss uncertain cases in a multidisciplinary team.

        **Mark scheme (3 points).**
        - 1 point: the scheme is one small retrospective series (size named), not a guideline.
        - 1 point: the 74% is survey-reported pain relief in facial-neuralgia/NICO patients, not lesion healing
          (no control group; disputed entity).
        - 1 point: names what to rely on instead (guidelines, comparative studies) or the biases involved.
        ### END SOLUTION
        """, points=3))
    cells.append(A.code("""
        teaching.references(["aaoms2009", "aaoms2014", "diaz_reverand2018", "bouquot1995", "freiberger2012",
                             "marx_protocol", "hopon2019", "dahanca21", "sdcep2017", "ects2022", "magic_mouthwash"])
        """))
    return cells


def notebook_node():
    """The complete source notebook (cells and metadata) that main() writes."""
    return A.notebook(build(), rests_on=RESTS_ON, forbidden_calls=FORBIDDEN)


def main() -> None:
    A.write(notebook_node(), OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
