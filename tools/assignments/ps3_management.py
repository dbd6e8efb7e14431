"""Build solutions/ps3_management/ps3_management.ipynb (the nbgrader source).

Run: .venv/bin/python tools/assignments/ps3_management.py && make release && make check
Plan items are ids of knowledge entries (management.yaml); hidden tests compute every expected value from
the knowledge base through osteonecrosis.management (entries marked answer: true).
"""

from __future__ import annotations

from pathlib import Path

from classroom import authoring as A
from osteonecrosis import knowledge, library_case

ID = "ps3_management"
OUT = Path(__file__).resolve().parents[2] / "solutions" / ID / f"{ID}.ipynb"
BOUQUOT_WRONG = ("healing of the jaw lesions, confirmed on radiographs",
                 "cure of MRONJ after curettage in a controlled trial",
                 "patients who needed no further surgery")

FORBIDDEN: list[str] = []
RESTS_ON: dict[str, list[str]] = {}


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

        1. build a stage-based plan from the AAOMS table, and recognise when there is no MRONJ to treat;
        2. read HBO schedules (pressure, minutes, sessions before and after surgery) and say which are supported;
        3. weigh the seed's surgical protocol under antiresorptives against the guidelines;
        4. appraise two claims of the seed texts: what a figure measures, and who said it on how many patients.

        **How to work.** Replace each `raise NotImplementedError()` with your answer, run the cell, then its
        test cell. Plans are **lists of plan-item ids** from the menu printed below (order does not matter).
        Hidden tests run when your work is graded. Written answers (*graded by hand*) go where it says
        "YOUR ANSWER HERE".

        > This problem set teaches; it is not a clinical decision tool.
        """))
    cells.append(A.readonly("setup", f"""
        from osteonecrosis import library_case, management, teaching
        from osteonecrosis.exercises import answered

        BOUQUOT_OPTIONS = {options!r}
        teaching.disclaimer()
        """))

    # ---- Part A: plans ----------------------------------------------------------------------------------
    cells.append(A.markdown("""
        ## Part A · Stage-based plans

        The menu: every item of the AAOMS stage table (2009, kept in 2014) and the course's items for patients
        who do **not** have MRONJ. Run the cell and keep it in view. (AAOMS 2022 is reported to accept surgery
        earlier, in stages 1 and 2; notebook 05 shows why the course does not grade on that report.)
        """))
    cells.append(A.code("""
        menu = []
        for stage in ["at_risk", "0", "1", "2", "3"]:
            menu += management.stage_actions(stage)
        menu += management.not_mronj_actions(["jaw_radiotherapy", "jaw_metastasis", "short_exposure", "no_drug"])
        for item in menu:
            print(f"{item['id']:34} {item['action']}")
        """))
    plan_cases = [("q1", "onc-denosumab-stage2", "plan_denosumab_patient", 3),
                  ("q2", "onc-radiotherapy-orn", "plan_irradiated_patient", 2),
                  ("q3", "op-short-exposure", "plan_recent_extraction", 2)]
    solutions = {
        "q1": ["aaoms-stage2-antibiotics", "aaoms-stage2-rinse", "aaoms-stage2-pain", "aaoms-stage2-debridement"],
        "q2": ["not-mronj-radiotherapy"],
        "q3": ["not-mronj-short"],
    }
    hints = {
        "q1": "Stage him first (notebook 04), then take every item the AAOMS table gives for that stage, and "
              "nothing from other stages.",
        "q2": "Radiotherapy to the jaws excludes MRONJ: the AAOMS stage table does not apply. Which menu item "
              "says what to think of instead?",
        "q3": "Exposed bone for 8 weeks or less is not MRONJ yet: no stage, so no AAOMS table items.",
    }
    for q, cid, name, pts in plan_cases:
        case = library_case(cid)
        cells.append(A.markdown(f"""
            ### Question {q[1]} · A plan for `{cid}` {A.points_line(pts)}

            {case.extra['vignette']}

            Write `{name}`: the list of plan-item ids from the menu that apply to this patient.
            """))
        body = ", ".join(f'"{i}"' for i in solutions[q])
        cells.append(A.answer(f"{q}_plan", f"{name} = None\n### BEGIN SOLUTION\n{name} = [{body}]\n### END SOLUTION"))
        cells.append(A.tests(f"{q}_tests", f"""
            from osteonecrosis import management
            from osteonecrosis.exercises import answered, as_id_list, missing_and_extra

            answered({name}, "{name}")
            given = as_id_list({name}, "{name}")
            menu_ids = {{i["id"] for s in ["at_risk", "0", "1", "2", "3"] for i in management.stage_actions(s)}}
            menu_ids |= {{i["id"] for i in management.not_mronj_actions(
                ["jaw_radiotherapy", "jaw_metastasis", "short_exposure", "no_drug"])}}
            unknown = [i for i in given if i not in menu_ids]
            assert not unknown, f"Not on the menu (check the spelling against the printed menu): {{unknown}}"
            assert len(given) == len(set(given)), "Each item once is enough."
            ### BEGIN HIDDEN TESTS
            from osteonecrosis import library_case
            from osteonecrosis.plan import not_mronj_reasons
            from osteonecrosis.staging import stage
            _case = library_case("{cid}")
            _stage = stage(_case).stage
            if _stage == "not_mronj":
                _want = [i["id"] for i in management.not_mronj_actions(not_mronj_reasons(_case))]
            else:
                _want = [i["id"] for i in management.stage_actions(_stage)]
            _missing, _extra = missing_and_extra(given, _want)
            assert not _missing and not _extra, (
                f"{hints[q]} (missing {{len(_missing)}}, not applicable {{len(_extra)}})")
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
        `"hbo-marx-prophylaxis"`, `"hbo-freiberger2012-rct"` and `"hbo-dahanca21"`.
        """))
    cells.append(A.answer("q4_sessions", """
        hbo_sessions = None
        ### BEGIN SOLUTION
        hbo_sessions = {"hbo-marx-prophylaxis": 30, "hbo-freiberger2012-rct": 40, "hbo-dahanca21": 40}
        ### END SOLUTION
        """))
    cells.append(A.tests("q4_tests", """
        from osteonecrosis.exercises import answered, as_number

        answered(hbo_sessions, "hbo_sessions")
        wanted = {"hbo-marx-prophylaxis", "hbo-freiberger2012-rct", "hbo-dahanca21"}
        assert set(hbo_sessions) == wanted, f"Give exactly these three schedules: {sorted(wanted)}."
        for pid, n in hbo_sessions.items():
            as_number(n, pid)
        assert hbo_sessions["hbo-marx-prophylaxis"] > 20, (
            "Marx's prophylaxis has sessions BEFORE and AFTER the extraction: add them.")
        ### BEGIN HIDDEN TESTS
        from osteonecrosis import management
        for pid in wanted:
            assert hbo_sessions[pid] == management.hbo_sessions_total(pid), (
                f"{pid}: count every session, before and after surgery.")
        ### END HIDDEN TESTS
        """, points=3))
    cells.append(A.markdown(f"""
        ### Question 5 · The unsupported schedule {A.points_line(2)}

        One schedule in the list is used by no trial, series or guideline the course found. Write its id as
        text in `unsupported_schedule`.
        """))
    cells.append(A.answer("q5_unsupported", """
        unsupported_schedule = None
        ### BEGIN SOLUTION
        unsupported_schedule = "hbo-seed-60"
        ### END SOLUTION
        """))
    cells.append(A.tests("q5_tests", """
        from osteonecrosis import management
        from osteonecrosis.exercises import answered

        answered(unsupported_schedule, "unsupported_schedule")
        ids = [p["id"] for p in management.hbo_protocols()]
        assert unsupported_schedule in ids, f"Write one id from the list, in quotes: {ids}"
        ### BEGIN HIDDEN TESTS
        assert unsupported_schedule in management.unsupported_hbo_schedules(), (
            "The trials used 30 (Marx, HOPON) or 40 (Freiberger; DAHANCA-21) sessions. Which figure appears "
            "only in the seed?")
        ### END HIDDEN TESTS
        """, points=2))
    cells.append(A.markdown(f"""
        ### Question 6 · Hours in the chamber {A.points_line(2)}

        How many **hours** under pressure does the whole Marx prophylaxis schedule take (all its sessions, at
        the minutes per session given)? Store the number in `marx_hours`.
        """))
    cells.append(A.answer("q6_hours", """
        marx_hours = None
        ### BEGIN SOLUTION
        marx_hours = (20 + 10) * 90 / 60
        ### END SOLUTION
        """))
    cells.append(A.tests("q6_tests", """
        from osteonecrosis.exercises import answered, as_number

        answered(marx_hours, "marx_hours")
        value = as_number(marx_hours, "marx_hours")
        assert value < 1000, "Hours, not minutes: divide the minutes by 60."
        ### BEGIN HIDDEN TESTS
        from osteonecrosis import management
        assert abs(value - management.hbo_chamber_hours("hbo-marx-prophylaxis")) < 0.01, (
            "Sessions before plus after, times the minutes per session, divided by 60.")
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
        *Antibiotics:* SDCEP finds insufficient evidence for antibiotic prophylaxis against MRONJ after
        extraction; antibiotics treat infected MRONJ (stages 2 and 3). Qualify: not routine prophylaxis.
        *The 'Wonder' rinse:* a compounded mucositis rinse ('magic mouthwash'); no MRONJ guideline recommends
        it; the AAOMS table names an antibacterial rinse. Drop it.

        **Mark scheme (3 points: 1 per element).**
        - Drug holiday: guidelines disagree / no evidence / prescriber decides / never stop denosumab abruptly.
        - Antibiotics: no good evidence for routine prophylaxis; they treat infection (stages 2-3).
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
        What did that 74% measure? Write the letter in `bouquot_74_measures`.

{option_lines}
        """))
    cells.append(A.answer("q8_bouquot", """
        bouquot_74_measures = None
        ### BEGIN SOLUTION
        bouquot_74_measures = "B"
        ### END SOLUTION
        """))
    cells.append(A.tests("q8_tests", """
        from osteonecrosis.exercises import answered

        answered(bouquot_74_measures, "bouquot_74_measures")
        assert bouquot_74_measures in BOUQUOT_OPTIONS, (
            f"Write one letter in quotes: {sorted(BOUQUOT_OPTIONS)}.")
        ### BEGIN HIDDEN TESTS
        from osteonecrosis import knowledge
        assert BOUQUOT_OPTIONS[bouquot_74_measures] == knowledge.find("ion-curettage", "management")["outcome"], (
            "Read the audit in notebook 05: how were the 190 patients asked, and about what?")
        ### END HIDDEN TESTS
        """, points=2))
    cells.append(A.markdown(f"""
        ### Question 9 · Whose scheme? {A.points_line(2)}

        The Spanish seed's stage-based surgery (medical care for stage 1, sequestrectomy for stage 2,
        mandibulectomy for stage 3) is credited to one paper. Fill in `stage_scheme_source` with the **surname of
        its first author** (text) and the **number of patients** it studied.
        """))
    cells.append(A.answer("q9_source", """
        stage_scheme_source = None
        ### BEGIN SOLUTION
        stage_scheme_source = {"first_author": "Díaz-Reverand", "patients": 19}
        ### END SOLUTION
        """))
    cells.append(A.tests("q9_tests", """
        from osteonecrosis.exercises import answered, as_number

        answered(stage_scheme_source, "stage_scheme_source")
        assert set(stage_scheme_source) == {"first_author", "patients"}, (
            "Use the keys 'first_author' and 'patients'.")
        assert isinstance(stage_scheme_source["first_author"], str), "The surname is text, in quotes."
        as_number(stage_scheme_source["patients"], "patients")
        assert "ruggiero" not in stage_scheme_source["first_author"].lower(), (
            "Ruggiero leads the AAOMS position papers, whose tables do not prescribe mandibulectomy for stage 3. "
            "The seed cites a Spanish case series (notebook 05, 'The seed's scheme').")
        ### BEGIN HIDDEN TESTS
        import unicodedata
        from osteonecrosis import knowledge
        _norm = unicodedata.normalize("NFKD", stage_scheme_source["first_author"]).encode("ascii", "ignore")
        assert b"diaz" in _norm.lower(), "The first author of the 19-case Madrid series (notebook 05)."
        _series = knowledge.find("diaz-reverand-2018-series", "management")
        assert stage_scheme_source["patients"] == _series["patients"], "How many patients did the series have?"
        ### END HIDDEN TESTS
        """, points=2))
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
