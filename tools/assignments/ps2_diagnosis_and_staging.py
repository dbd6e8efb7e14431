"""Build solutions/ps2_diagnosis_and_staging/ps2_diagnosis_and_staging.ipynb (the nbgrader source).

Run: .venv/bin/python tools/assignments/ps2_diagnosis_and_staging.py && make release && make check
The vignettes are read from the case library at build time, so every number in them comes from a case file, and
every expected stage is computed here (AAOMS 2022 rules) and written into the tests as a literal.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from classroom import authoring as A
from osteonecrosis import library, library_case
from osteonecrosis.exercises import staging_arguments
from osteonecrosis.staging import STAGES

ID = "ps2_diagnosis_and_staging"
OUT = Path(__file__).resolve().parents[2] / "solutions" / ID / f"{ID}.ipynb"

CRITERIA_CASE = "onc-jaw-metastasis"
# Shown to students as "Patient 1" ... "Patient 8" (a case id would give the answer away).
VIGNETTES = ["op-alendronate-at-risk", "op-zoledronate-stage0", "onc-zoledronate-stage1-fistula",
             "op-stopped-bp-stage2", "op-short-exposure", "onc-radiotherapy-orn", "onc-stage3-oroantral-no-pain",
             "onc-bevacizumab-stage1"]
LABEL = {cid: f"Patient {i}" for i, cid in enumerate(VIGNETTES, start=1)}
WORKED_CASE = "op-alendronate-stage1"


def aaoms_2022(drug_exposure, radiotherapy_or_metastasis, exposed_bone_weeks, pain_or_infection, stage3_feature,
               nonspecific_sign):
    """The model solution of Question 4 (AAOMS 2022, the course's order); it also fixes the answer keys."""
    if not drug_exposure or radiotherapy_or_metastasis:
        return "not_mronj"
    if exposed_bone_weeks == 0:
        return "0" if nonspecific_sign else "at_risk"
    if exposed_bone_weeks <= 8:
        return "not_mronj"
    if stage3_feature:
        return "3"
    if pain_or_infection:
        return "2"
    return "1"


def model_answer_cell() -> str:
    """Question 4's answer cell: the student's signature, with :func:`aaoms_2022`'s own body as the solution
    (one source for the model answer and for the answer keys computed from it)."""
    src = inspect.getsource(aaoms_2022)
    body = src.split('"""', 2)[2].lstrip("\n")  # the statements after the docstring, 4 spaces in
    return ('def aaoms_stage(drug_exposure, radiotherapy_or_metastasis, exposed_bone_weeks, pain_or_infection,\n'
            '                stage3_feature, nonspecific_sign):\n'
            '    """The AAOMS 2022 stage of a patient: "not_mronj", "at_risk", "0", "1", "2" or "3"."""\n'
            '    ### BEGIN SOLUTION\n' + body.rstrip() + '\n    ### END SOLUTION\n')


# Expected stages, computed HERE from the case files with the AAOMS 2022 rules and written as literals.
SOLUTION_STAGES = {cid: aaoms_2022(**staging_arguments(library_case(cid))) for cid in VIGNETTES}
HINTS = {
    "op-alendronate-at-risk": "no exposed bone, no sign: what is a treated, healthy mouth?",
    "op-zoledronate-stage0": "no exposed bone, but a nonspecific sign",
    "onc-zoledronate-stage1-fistula": "a fistula that probes to bone counts as exposed bone",
    "op-stopped-bp-stage2": "criterion 1 counts PREVIOUS treatment too",
    "op-short-exposure": "8 weeks or less is not MRONJ yet",
    "onc-radiotherapy-orn": "radiotherapy to the jaws excludes MRONJ",
    "onc-stage3-oroantral-no-pain": "an oral-antral communication is a stage-3 feature",
    "onc-bevacizumab-stage1": "AAOMS 2022 criterion 1: is there an antiresorptive?",
}
# Visible checks: stages that are impossible for a patient, each with the rule that rules them out.
VISIBLE = {
    "op-alendronate-at-risk": (("1", "2", "3"), "no exposed bone, so not stages 1-3"),
    "op-zoledronate-stage0": (("1", "2", "3"), "no exposed bone, so not stages 1-3"),
    "onc-zoledronate-stage1-fistula": (("at_risk", "0", "not_mronj"), "a fistula probing to bone is exposed bone"),
    "op-stopped-bp-stage2": (("not_mronj", "1"), "a stopped drug counts; pain and pus are infection"),
    "op-short-exposure": (("1", "2", "3"), "exposed for 6 weeks: the 8-week rule first"),
    "onc-radiotherapy-orn": (("1", "2", "3"), "check the exclusions first (criterion 3)"),
    "onc-stage3-oroantral-no-pain": (("at_risk", "0", "1"), "stage 3 features decide, pain or not"),
    "onc-bevacizumab-stage1": (("1", "2", "3", "at_risk", "0"), "AAOMS 2022 criterion 1 needs an antiresorptive"),
}
LIBRARY = {f"library patient {i}": (staging_arguments(case), aaoms_2022(**staging_arguments(case)))
           for i, (_cid, case) in enumerate(sorted(library().items()), start=1)}
WORKED = staging_arguments(library_case(WORKED_CASE))
_metastasis_case = library_case(CRITERIA_CASE)
CRITERIA = {
    "drug_exposure": bool(staging_arguments(_metastasis_case)["drug_exposure"]),
    "exposed_bone_over_8_weeks": _metastasis_case.findings.weeks_persisting > 8,
    "jaw_radiotherapy_or_metastasis": bool(_metastasis_case.jaw_radiotherapy or _metastasis_case.jaw_metastasis),
}
FORBIDDEN = ["osteonecrosis.staging.stage", "osteonecrosis.plan.make_plan", "osteonecrosis.plan.not_mronj_reasons"]
STAGING = ["mronj-case-definition", "crit-exposure", "crit-exposed-bone", "crit-no-radiation-no-metastasis",
           "aaoms2022-staging"]
RESTS_ON: dict[str, list[str]] = {
    **{f"q1_{k}": STAGING for k in ("drug_exposure", "exposed_bone_over_8_weeks", "jaw_radiotherapy_or_metastasis")},
    **{f"q2_patient{i}_tests": STAGING for i in range(1, 9)},
    "q3_written": STAGING,
    "q4_basic_tests": STAGING, "q4_edge_tests": STAGING, "q4_library_tests": STAGING,
    "q5_written": [],
}


def vignette(case_id: str, label: str) -> str:
    case = library_case(case_id)
    return f"**{label}.** {case.extra['vignette']}"


def build() -> list:
    cells = []
    cells.append(A.markdown(f"""
        # Problem set 2 · Diagnosis and staging

        *Time: about 60 to 75 minutes. Before you start: course notebooks 00 (primer) and 04 (diagnosis and
        staging).*

        {A.TOTAL_PLACEHOLDER}

        You will apply the MRONJ **case definition** and the **AAOMS 2022 stages** to patients from the course's
        case library, then write a small staging function. By the end you should be able to:

        1. check the three criteria of the case definition one by one, including the exclusions;
        2. stage a vignette (at risk, stage 0, 1, 2, 3, or *not MRONJ*) and say which finding decided;
        3. turn the staging rules into a short function and test it on edge cases;
        4. explain, in words a colleague would accept, why a case is or is not MRONJ.

        **How to work.** Replace each `raise NotImplementedError()` with your answer, run the cell, then run the
        test cell below it. Each test cell runs **visible checks now** (the form of your answer, the worked
        example, the stages a patient cannot have); when they pass it says so, and **that is not your grade**:
        hidden tests check the exact answers when your work is graded. A failing check names what to reconsider
        and where in the course to look. If a test cell says a name "is not defined", fix the **first** error of
        its answer cell. Write stages as the course's codes, in quotes: {", ".join(f"`{c!r}`" for c in STAGES)}
        (`'2'`, not `2`; `'not_mronj'`, not `'not MRONJ'`). Written answers (marked *graded by hand*) go in the
        text cells that say "YOUR ANSWER HERE". Stage by hand: answers that call `osteonecrosis.staging.stage`
        or `make_plan` are flagged for your instructor.

        > This problem set teaches; it is not a clinical decision tool.
        """))
    cells.append(A.readonly("setup", """
        from osteonecrosis import teaching

        teaching.disclaimer()
        """))

    # ---- Part A ---------------------------------------------------------------------------------------
    cells.append(A.markdown("""
        ## Part A · The case definition

        A patient has MRONJ only when **all three** criteria hold (AAOMS 2022):

        1. current or previous treatment with an antiresorptive, alone or with an immune modulator or an
           antiangiogenic drug;
        2. exposed bone, or bone that can be probed through an intraoral or extraoral fistula, in the
           maxillofacial region, that has persisted for **more than 8 weeks**;
        3. no history of radiation therapy to the jaws, and no metastatic disease to the jaws.

        Warm up with the check below (not graded).
        """))
    cells.append(A.code("""
        teaching.quiz(
            "Bone has been exposed in an extraction socket for exactly 8 weeks. Does it meet criterion 2?",
            ["Yes: 8 weeks is enough", "No: it must persist for MORE than 8 weeks", "Only if it is painful"],
            answer="No: it must persist for MORE than 8 weeks",
            explanation="The definition says 'more than 8 weeks'. At 8 weeks or less you manage the socket and "
                        "re-examine it later.",
            hints={"Yes: 8 weeks is enough": "Read criterion 2 again: 'more than' 8 weeks.",
                   "Only if it is painful": "Pain changes the stage, not whether the definition is met."},
        )
        """))
    cells.append(A.markdown(f"""
        ### Question 1 · Three criteria, one at a time {A.points_line(3)}

        {vignette(CRITERIA_CASE, "Patient A")}

        Fill in the dictionary `criteria_patient_a` with `True` or `False` for each fact (a fact is `True` when
        it is present): `"drug_exposure"` (criterion 1: an antiresorptive, now or before),
        `"exposed_bone_over_8_weeks"` (criterion 2) and `"jaw_radiotherapy_or_metastasis"` (the exclusions of
        criterion 3).

        One point per fact. *Checked now:* the three keys, True/False without quotes, the drug and the
        exclusion. *Checked at grading:* the exposed bone.
        """))
    cells.append(A.answer("q1_criteria", f"""
        criteria_patient_a = None
        ### BEGIN SOLUTION
        criteria_patient_a = {{
            "drug_exposure": {CRITERIA["drug_exposure"]},
            "exposed_bone_over_8_weeks": {CRITERIA["exposed_bone_over_8_weeks"]},
            "jaw_radiotherapy_or_metastasis": {CRITERIA["jaw_radiotherapy_or_metastasis"]},
        }}
        ### END SOLUTION
        """))
    q1_value = {  # one criterion, one cell, one point; (message, checked now?)
        "drug_exposure": ("Q1: denosumab is an antiresorptive (notebook 04, 'The case definition')", True),
        "jaw_radiotherapy_or_metastasis": (
            "Q1: the biopsy found a jaw metastasis (notebook 04, 'differential diagnosis')", True),
        "exposed_bone_over_8_weeks": (
            "Q1: exposed bone for MORE than 8 weeks? (notebook 04, 'The case definition')", False),
    }
    for key, (message, now) in q1_value.items():
        if len(message) > 80:  # nbgrader validate cuts longer messages
            raise ValueError(f"feedback message longer than 80 characters: {message!r}")
        check = f"assert criteria_patient_a[{key!r}] is {CRITERIA[key]}, {message!r}"
        lines = [check, f'visible_checks_passed("Q1 {key}")'] if now else [
            f'visible_checks_passed("Q1 {key}")', "### BEGIN HIDDEN TESTS", check, "### END HIDDEN TESTS"]
        cells.append(A.tests(f"q1_{key}", "\n".join([
            "from osteonecrosis.exercises import answer_of, visible_checks_passed",
            "",
            'criteria_patient_a = answer_of("criteria_patient_a")',
            f"keys = {sorted(CRITERIA)!r}",
            "assert isinstance(criteria_patient_a, dict), \"Q1: write a dictionary {'drug_exposure': True, ...}\"",
            'assert sorted(criteria_patient_a) == keys, f"Q1: use exactly the keys {keys}"',
            f"assert isinstance(criteria_patient_a[{key!r}], bool), "
            f"\"Q1 {key}: True or False, no quotes (notebook 00, 'Values')\"",
            *lines]), points=1))

    # ---- Question 2 -----------------------------------------------------------------------------------
    vignette_lines = "\n\n".join(vignette(cid, LABEL[cid]) for cid in VIGNETTES)
    q2 = A.markdown(f"""
        ## Part B · Staging eight patients

        ### Question 2 · Stage eight patients {A.points_line(8)}

        Stage each patient by the AAOMS 2022 rules, applied in the course's order (notebook 04):

        1. **not MRONJ** if an exclusion applies (never an antiresorptive drug: AAOMS 2022's criterion 1 asks
           for an antiresorptive, alone or with an immune modulator or an antiangiogenic drug; radiotherapy to
           the jaws; metastasis in the jaws) or the exposed bone / probing fistula has lasted 8 weeks or less;
        2. no exposed bone and no probing fistula: **at risk**, or **stage 0** if there is a nonspecific sign
           (unexplained toothache or jaw pain, loosening not due to periodontitis, an unexplained fistula or
           radiographic change, altered sensation ...);
        3. exposed bone or probing fistula for more than 8 weeks: **stage 3** if any stage-3 feature is present
           (necrosis beyond the alveolar bone, pathologic fracture, extraoral fistula, oral-antral or
           oral-nasal communication, osteolysis to the lower border of the mandible or the sinus floor);
           otherwise **stage 2** with pain or infection, **stage 1** without.

        The AAOMS 2014 paper and MASCC/ISOO/ASCO 2019 also count an antiangiogenic drug alone; this question
        is graded by AAOMS 2022, the course's reference standard (notebook 04 compares them).

        VIGNETTES

        Fill in `stages` with one entry per patient, the key being the label (`"Patient 1"` ... `"Patient 8"`)
        and the value the stage code as text: {", ".join(f"`{c!r}`" for c in STAGES)}.

        *Points: 1 per patient.* *Checked now:* a stage code for each patient, and the stages each patient
        cannot have. *Checked at grading:* each patient's exact stage.
        """)
    q2.source = q2.source.replace("VIGNETTES", vignette_lines)  # inserted after dedent: no accidental code block
    cells.append(q2)
    body = "\n".join(f'    "{LABEL[cid]}": "{SOLUTION_STAGES[cid]}",' for cid in VIGNETTES)
    cells.append(A.answer("q2_stages", "stages = None\n### BEGIN SOLUTION\nstages = {\n" + body
                          + "\n}\n### END SOLUTION"))
    for cid in VIGNETTES:
        label, n = LABEL[cid], LABEL[cid].split()[-1]
        impossible, why = VISIBLE[cid]
        assert SOLUTION_STAGES[cid] not in impossible, f"{cid}: the visible check rules out the key"
        cells.append(A.tests(f"q2_patient{n}_tests", f"""
            from osteonecrosis.exercises import answer_of, as_stage, visible_checks_passed

            stages = answer_of("stages")
            assert isinstance(stages, dict), "Q2: write a dictionary {{'Patient 1': 'at_risk', ...}}"
            assert {label!r} in stages, "Q2: no stage for {label} (write the key '{label}')"
            given = as_stage(stages[{label!r}], "Q2 {label}")
            assert given not in {impossible!r}, "Q2 {label}: {why} (notebook 04, 'AAOMS stages')"
            visible_checks_passed("Q2 {label}")
            ### BEGIN HIDDEN TESTS
            assert given == {SOLUTION_STAGES[cid]!r}, "Q2 {label}: {HINTS[cid]} (notebook 04, 'AAOMS stages')"
            ### END HIDDEN TESTS
            """, points=1))
    cells.append(A.markdown(f"""
        ### Question 3 · Explain an exclusion {A.points_line(3, "graded by hand")}

        Patient 6 takes zoledronic acid and has exposed bone for 14 weeks. In three to five sentences: why is
        this **not** MRONJ by definition, what diagnosis should you consider instead, and what would you do
        next to tell the possibilities apart?
        """))
    cells.append(A.written("q3_written", """
        ### BEGIN SOLUTION
        **Model answer.** The case definition requires no history of radiation therapy to the jaws; this
        mandible was in the radiotherapy field, so criterion 3 fails even though criteria 1 and 2 are met.
        Exposed irradiated bone that does not heal suggests osteoradionecrosis; a recurrence or a metastasis of
        his cancer is also possible. I would review the radiotherapy records (dose to this part of the
        mandible), image the area, and take a biopsy to exclude tumour, with the oncology team.

        **Mark scheme (3 points).**
        - 1 point: names the failed criterion (radiotherapy to the jaws excludes MRONJ), noting the drug and
          the 14 weeks do not override it.
        - 1 point: names osteoradionecrosis as the likely alternative (recurrent or metastatic tumour also
          accepted as a second thought).
        - 1 point: a sensible next step that discriminates (radiotherapy dose records or field, imaging, biopsy
          to exclude tumour, joint care with oncology).
        - No point for calling it "stage 2 MRONJ" on the grounds of pain.
        ### END SOLUTION
        """, points=3))

    # ---- Part C ---------------------------------------------------------------------------------------
    cells.append(A.markdown(f"""
        ## Part C · A staging function

        ### Question 4 · The rules as a function {A.points_line(9)}

        Now write the rules once, as a function, so that they can be checked on any patient. The function
        receives six facts about a patient and returns the stage as text (the same codes as in Part B):

        | argument | meaning |
        |---|---|
        | `drug_exposure` | `True` if the patient ever had an antiresorptive drug (AAOMS 2022 criterion 1) |
        | `radiotherapy_or_metastasis` | `True` if the jaws were irradiated or hold a metastasis |
        | `exposed_bone_weeks` | weeks that exposed bone (or a fistula probing to bone) has persisted; `0` if none |
        | `pain_or_infection` | `True` if there is pain, or infection (redness, swelling, pus) |
        | `stage3_feature` | `True` if any stage-3 feature is present |
        | `nonspecific_sign` | `True` if any nonspecific sign (stage 0) is present |

        Follow the order of the rules in Part B: exclusions first, then exposed bone, then stage-3 features,
        then symptoms. Use `if` / `elif` / `else` as in the primer (notebook 00, 'Decisions').

        *Points: 3 for the common cases, 4 for the edge cases, 2 for the case library.* *Checked now:* the
        worked examples in each test cell. *Checked at grading:* more edge cases, and every patient of the
        course's case library staged by the AAOMS 2022 rules.
        """))
    cells.append(A.answer("q4_function", model_answer_cell()))
    cells.append(A.code("""
        # Try your function on one patient before running the tests (change the values and re-run):
        aaoms_stage(drug_exposure=True, radiotherapy_or_metastasis=False, exposed_bone_weeks=12,
                    pain_or_infection=False, stage3_feature=False, nonspecific_sign=False)
        """))
    cells.append(A.tests("q4_basic_tests", """
        from osteonecrosis.exercises import answer_of, as_stage, visible_checks_passed

        answer_of("aaoms_stage")

        def _s(**facts):
            base = dict(drug_exposure=True, radiotherapy_or_metastasis=False, exposed_bone_weeks=0,
                        pain_or_infection=False, stage3_feature=False, nonspecific_sign=False)
            base.update(facts)
            return as_stage(aaoms_stage(**base), "Q4 aaoms_stage(...)")

        assert _s() == "at_risk", "Q4: treated, healthy mouth: 'at_risk' (notebook 04, 'AAOMS stages')"
        assert _s(exposed_bone_weeks=12) == "1", (
            "Q4: 12 weeks exposed, no pain, no infection: 1 (notebook 04, 'AAOMS stages')")
        assert _s(exposed_bone_weeks=12, pain_or_infection=True) == "2", (
            "Q4: over 8 weeks, with pain or infection: 2 (notebook 04, 'AAOMS stages')")
        visible_checks_passed("Q4 common cases")
        ### BEGIN HIDDEN TESTS
        assert _s(nonspecific_sign=True) == "0", (
            "Q4: no exposed bone, a nonspecific sign: '0' (notebook 04, 'AAOMS stages')")
        assert _s(drug_exposure=False) == "not_mronj", "Q4: no drug exposure, no MRONJ (notebook 04, 'The case definition')"
        assert _s(exposed_bone_weeks=30, pain_or_infection=True, stage3_feature=True) == "3", (
            "Q4: over 8 weeks with a stage-3 feature: '3' (notebook 04, 'AAOMS stages')")
        ### END HIDDEN TESTS
        """, points=3))
    cells.append(A.tests("q4_edge_tests", """
        from osteonecrosis.exercises import answer_of, as_stage, visible_checks_passed

        answer_of("aaoms_stage")

        def _s(**facts):
            base = dict(drug_exposure=True, radiotherapy_or_metastasis=False, exposed_bone_weeks=0,
                        pain_or_infection=False, stage3_feature=False, nonspecific_sign=False)
            base.update(facts)
            return as_stage(aaoms_stage(**base), "Q4 aaoms_stage(...)")

        assert _s(radiotherapy_or_metastasis=True, exposed_bone_weeks=20, pain_or_infection=True) == "not_mronj", (
            "Q4: jaw radiotherapy/metastasis excludes MRONJ (notebook 04, 'case definition')")
        assert _s(exposed_bone_weeks=8) == "not_mronj", (
            "Q4: 8 weeks is not MORE than 8: not MRONJ yet (notebook 04, 'case definition')")
        visible_checks_passed("Q4 edge cases")
        ### BEGIN HIDDEN TESTS
        assert _s(exposed_bone_weeks=8, pain_or_infection=True, stage3_feature=True) == "not_mronj", (
            "Q4: at 8 weeks, not MRONJ yet, whatever else (notebook 04, 'case definition')")
        assert _s(exposed_bone_weeks=8.5) == "1", "Q4: 8.5 weeks is more than 8 weeks: '1' (notebook 04, 'The case definition')"
        assert _s(exposed_bone_weeks=20, stage3_feature=True) == "3", (
            "Q4: a stage-3 feature decides, pain or not (notebook 04, 'AAOMS stages')")
        assert _s(exposed_bone_weeks=20, stage3_feature=True, radiotherapy_or_metastasis=True) == "not_mronj", (
            "Q4: an exclusion beats every finding (notebook 04, 'The case definition')")
        assert _s(drug_exposure=False, exposed_bone_weeks=20, pain_or_infection=True) == "not_mronj", (
            "Q4: exposed bone, no drug exposure: not MRONJ (notebook 04, 'case definition')")
        assert _s(exposed_bone_weeks=12, nonspecific_sign=True) == "1", (
            "Q4: exposed bone: nonspecific signs do not count (notebook 04, 'AAOMS stages')")
        assert _s(drug_exposure=False, nonspecific_sign=True) == "not_mronj", (
            "Q4: stage 0 also needs drug exposure (notebook 04, 'The case definition')")
        ### END HIDDEN TESTS
        """, points=4))
    cells.append(A.tests("q4_library_tests", f"""
        from osteonecrosis.exercises import answer_of, as_stage, visible_checks_passed

        answer_of("aaoms_stage")
        facts = {WORKED!r}
        print("Worked example, a library patient:", facts)
        assert as_stage(aaoms_stage(**facts), "Q4") == {aaoms_2022(**WORKED)!r}, (
            "Q4: painless, exposed 12 weeks, under a denture: 1 (notebook 04, 'AAOMS stages')")
        visible_checks_passed("Q4 case library")
        ### BEGIN HIDDEN TESTS
        for _label, (_facts, _want) in {LIBRARY!r}.items():
            _got = as_stage(aaoms_stage(**_facts), "Q4 " + _label)
            assert _got == _want, f"Q4 {{_label}}: your function says {{_got!r}}, AAOMS 2022 says {{_want!r}}"
        ### END HIDDEN TESTS
        """, points=2))
    cells.append(A.markdown(f"""
        ### Question 5 · Stage 0 on trial {A.points_line(3, "graded by hand")}

        Stage 0 (the *non-exposed variant*) is debated. In three to five sentences: give one argument for
        keeping stage 0 and one against it, and say what you would do for a patient on zoledronic acid with
        unexplained jaw ache and no exposed bone.
        """))
    cells.append(A.written("q5_written", """
        ### BEGIN SOLUTION
        **Model answer.** For: it names early disease in a treated patient who has symptoms or radiographic
        change but no exposed bone, so the patient is followed closely and some go on to exposed-bone disease.
        Against: its signs are nonspecific (toothache, jaw pain, sinus pain, radiographic change have many
        causes), so it risks overdiagnosis, as the International Task Force warned, and ECTS notes it is not
        widely adopted. For this patient I would look for a dental or other cause first, record the finding,
        treat symptoms, and review closely (clinically and radiographically) rather than label it MRONJ.

        **Mark scheme (3 points).**
        - 1 point: an argument for (early recognition, closer follow-up, reported progression in some cases).
        - 1 point: an argument against (nonspecific signs, overdiagnosis or labelling; not widely adopted).
        - 1 point: a proportionate plan (exclude other causes, symptomatic care, close review, imaging).
        - Do not reward a precise progression percentage stated as fact (the figure is unverified).
        ### END SOLUTION
        """, points=3))
    cells.append(A.code("""
        teaching.references(["aaoms2022", "aaoms2014", "ects2022", "taskforce2015", "mascc2019"])
        """))
    return cells


def notebook_node():
    """The complete source notebook (cells and metadata) that main() writes."""
    return A.notebook(build(), rests_on=RESTS_ON, forbidden_calls=FORBIDDEN)


def main() -> None:
    A.write(notebook_node(), OUT)
    print(f"wrote {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")


if __name__ == "__main__":
    main()
