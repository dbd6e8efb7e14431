"""Build solutions/ps2_diagnosis_and_staging/ps2_diagnosis_and_staging.ipynb (the nbgrader source).

Run: .venv/bin/python tools/assignments/ps2_diagnosis_and_staging.py && make release && make check
The vignettes are read from the case library at build time, so every number in them comes from a case file.
"""

from __future__ import annotations

from pathlib import Path

from classroom import authoring as A
from osteonecrosis import library_case

ID = "ps2_diagnosis_and_staging"
OUT = Path(__file__).resolve().parents[2] / "solutions" / ID / f"{ID}.ipynb"

CRITERIA_CASE = "onc-jaw-metastasis"
TYPICAL = ["op-alendronate-at-risk", "op-zoledronate-stage0", "onc-zoledronate-stage1-fistula",
           "op-stopped-bp-stage2"]
EDGE = ["op-short-exposure", "onc-radiotherapy-orn", "onc-stage3-oroantral-no-pain", "onc-bevacizumab-stage1"]
VIGNETTES = TYPICAL + EDGE
SOLUTION_STAGES = {
    "op-alendronate-at-risk": "at_risk",
    "op-zoledronate-stage0": "0",
    "onc-zoledronate-stage1-fistula": "1",
    "op-stopped-bp-stage2": "2",
    "op-short-exposure": "not_mronj",
    "onc-radiotherapy-orn": "not_mronj",
    "onc-stage3-oroantral-no-pain": "3",
    "onc-bevacizumab-stage1": "1",
}


def vignette(case_id: str, label: str) -> str:
    case = library_case(case_id)
    return f"**{label}. `{case_id}`** — {case.extra['vignette']}"

FORBIDDEN: list[str] = []
RESTS_ON: dict[str, list[str]] = {}


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
        test cell below it. A test that passes prints nothing; a test that fails tells you what to reconsider and
        where in the course to look. Some tests are hidden and run only when your work is graded, so think about
        the edge cases yourself. Written answers (marked *graded by hand*) go in the text cells that say
        "YOUR ANSWER HERE". Please do not use `osteonecrosis.staging` to answer: staging by hand is the point.

        > This problem set teaches; it is not a clinical decision tool.
        """))
    cells.append(A.readonly("setup", """
        from osteonecrosis import teaching
        from osteonecrosis.exercises import answered

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
        ### Question 1 · Three criteria, one at a time {A.points_line(2)}

        {vignette(CRITERIA_CASE, "Patient")}

        Fill in the dictionary `criteria_metastasis_case` with `True` or `False` for each criterion:
        `"exposure"` (criterion 1), `"exposed_bone_over_8_weeks"` (criterion 2) and
        `"no_radiotherapy_no_metastasis"` (criterion 3).
        """))
    cells.append(A.answer("q1_criteria", """
        criteria_metastasis_case = None
        ### BEGIN SOLUTION
        criteria_metastasis_case = {
            "exposure": True,
            "exposed_bone_over_8_weeks": True,
            "no_radiotherapy_no_metastasis": False,
        }
        ### END SOLUTION
        """))
    cells.append(A.tests("q1_tests", """
        from osteonecrosis.exercises import answered

        answered(criteria_metastasis_case, "criteria_metastasis_case")
        keys = {"exposure", "exposed_bone_over_8_weeks", "no_radiotherapy_no_metastasis"}
        assert isinstance(criteria_metastasis_case, dict), "Write a dictionary: {\\"exposure\\": True, ...}."
        assert set(criteria_metastasis_case) == keys, (
            f"Use exactly these three keys: {sorted(keys)} (you wrote {sorted(criteria_metastasis_case)}).")
        assert all(isinstance(v, bool) for v in criteria_metastasis_case.values()), (
            "Each criterion is met or not: write True or False, without quotes.")
        assert criteria_metastasis_case["exposure"] is True, (
            "She receives denosumab, an antiresorptive: criterion 1 is about the drug only (notebook 04, "
            "'The case definition').")
        ### BEGIN HIDDEN TESTS
        from osteonecrosis import library_case
        _case = library_case("onc-jaw-metastasis")
        assert criteria_metastasis_case["exposed_bone_over_8_weeks"] is (
            _case.findings.weeks_persisting > 8), (
            "Criterion 2 looks only at exposed bone and how long it has persisted (more than 8 weeks).")
        assert criteria_metastasis_case["no_radiotherapy_no_metastasis"] is not _case.jaw_metastasis, (
            "A metastasis in the jaw fails criterion 3: tumour can look like necrotic bone (notebook 04, "
            "'Differential diagnosis').")
        ### END HIDDEN TESTS
        """, points=2))

    # ---- Part B ---------------------------------------------------------------------------------------
    vignette_lines = "\n\n".join(vignette(cid, f"Patient {i}") for i, cid in enumerate(VIGNETTES, start=1))
    cells.append(A.markdown(f"""
        ## Part B · Staging eight patients {A.points_line(8)}

        Stage each patient by the AAOMS 2022 rules, applied in the course's order (notebook 04):

        1. **not MRONJ** if an exclusion applies (no antiresorptive or antiangiogenic drug ever; radiotherapy
           to the jaws; metastasis in the jaws) or the exposed bone / probing fistula has lasted 8 weeks or less;
        2. no exposed bone and no probing fistula: **at risk**, or **stage 0** if there is a nonspecific sign
           (unexplained toothache or jaw pain, loosening not due to periodontitis, an unexplained fistula or
           radiographic change, altered sensation ...);
        3. exposed bone or probing fistula for more than 8 weeks: **stage 3** if any stage-3 feature is present
           (necrosis beyond the alveolar bone, pathologic fracture, extraoral fistula, oral-antral or
           oral-nasal communication, osteolysis to the lower border of the mandible or the sinus floor);
           otherwise **stage 2** with pain or infection, **stage 1** without.

        {vignette_lines}

        Write each stage as text: `"not_mronj"`, `"at_risk"`, `"0"`, `"1"`, `"2"` or `"3"`.
        *Points: 1 for a complete, well-formed answer; 3 for patients 1 to 4; 4 for patients 5 to 8 (the
        tricky ones).*
        """))
    body = "\n".join(f'    "{cid}": "{SOLUTION_STAGES[cid]}",' for cid in VIGNETTES)
    cells.append(A.answer("q2_stages", "stages = None\n### BEGIN SOLUTION\nstages = {\n" + body
                          + "\n}\n### END SOLUTION"))
    cells.append(A.tests("q2_format_tests", f"""
        from osteonecrosis.exercises import answered, as_stage

        answered(stages, "stages")
        expected_ids = {VIGNETTES!r}
        assert isinstance(stages, dict), "Write a dictionary: {{\\"case-id\\": \\"stage\\", ...}}."
        missing = [cid for cid in expected_ids if cid not in stages]
        assert not missing, f"Give a stage for every patient; missing: {{missing}}"
        for cid in stages:
            as_stage(stages[cid], cid)
        for cid in ("op-alendronate-at-risk", "op-zoledronate-stage0"):
            assert as_stage(stages[cid]) not in ("1", "2", "3"), (
                f"{{cid}}: no bone is exposed and no fistula probes to bone, so stages 1 to 3 are impossible "
                "(notebook 04, 'The stages').")
        ### BEGIN HIDDEN TESTS
        assert len(stages) == len(expected_ids), "Stage the eight patients listed, no others."
        ### END HIDDEN TESTS
        """, points=1))
    cells.append(A.tests("q2_typical_tests", """
        from osteonecrosis.exercises import answered, as_stage

        answered(stages, "stages")
        assert as_stage(stages["op-stopped-bp-stage2"]) != "not_mronj", (
            "Patient 4 stopped risedronate 2 years ago, but criterion 1 counts PREVIOUS treatment too: "
            "bisphosphonates stay in bone for years (notebook 01).")
        ### BEGIN HIDDEN TESTS
        from osteonecrosis import library_case
        from osteonecrosis.staging import stage
        for cid in ["op-alendronate-at-risk", "op-zoledronate-stage0", "onc-zoledronate-stage1-fistula",
                    "op-stopped-bp-stage2"]:
            want = stage(library_case(cid)).stage
            assert as_stage(stages[cid]) == want, f"{cid}: reconsider the stage (notebook 04, 'The stages')."
        ### END HIDDEN TESTS
        """, points=3))
    cells.append(A.tests("q2_edge_tests", """
        from osteonecrosis.exercises import answered, as_stage

        answered(stages, "stages")
        assert as_stage(stages["op-short-exposure"]) not in ("1", "2", "3"), (
            "Patient 5: bone exposed for 6 weeks does not meet the definition yet: it must persist for more "
            "than 8 weeks. Manage the socket and re-examine (notebook 04, 'Not yet MRONJ').")
        ### BEGIN HIDDEN TESTS
        from osteonecrosis import library_case
        from osteonecrosis.staging import stage
        _hints = {
            "op-short-exposure": "8 weeks or less is not MRONJ yet.",
            "onc-radiotherapy-orn": "radiotherapy to the jaws excludes MRONJ (think osteoradionecrosis).",
            "onc-stage3-oroantral-no-pain": "an oral-antral communication is a stage-3 feature, pain or not.",
            "onc-bevacizumab-stage1": "an antiangiogenic drug alone meets criterion 1; no pain, no infection.",
        }
        for cid, hint in _hints.items():
            want = stage(library_case(cid)).stage
            assert as_stage(stages[cid]) == want, f"{cid}: {hint}"
        ### END HIDDEN TESTS
        """, points=4))
    cells.append(A.markdown(f"""
        ### Question 3 · Explain an exclusion {A.points_line(3, "graded by hand")}

        Patient 6 (`onc-radiotherapy-orn`) takes zoledronic acid and has exposed bone for 14 weeks. In three to
        five sentences: why is this **not** MRONJ by definition, what diagnosis should you consider instead, and
        what would you do next to tell the possibilities apart?
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
        ## Part C · A staging function {A.points_line(9)}

        Now write the rules once, as a function, so that they can be checked on any patient. The function
        receives six facts about a patient and returns the stage as text (the same codes as in Part B):

        | argument | meaning |
        |---|---|
        | `drug_exposure` | `True` if the patient ever had an antiresorptive or antiangiogenic drug |
        | `radiotherapy_or_metastasis` | `True` if the jaws were irradiated or hold a metastasis |
        | `exposed_bone_weeks` | weeks that exposed bone (or a fistula probing to bone) has persisted; `0` if none |
        | `pain_or_infection` | `True` if there is pain, or infection (redness, swelling, pus) |
        | `stage3_feature` | `True` if any stage-3 feature is present |
        | `nonspecific_sign` | `True` if any nonspecific sign (stage 0) is present |

        Follow the order of the rules in Part B: exclusions first, then exposed bone, then stage-3 features,
        then symptoms. *Points: 3 for the common cases, 4 for the edge cases (hidden), 2 for agreeing with the
        course's staging on every patient of the case library (hidden).* Use `if` / `elif` / `else` as in the
        primer (notebook 00, section 5).
        """))
    cells.append(A.answer("q4_function", """
        def aaoms_stage(drug_exposure, radiotherapy_or_metastasis, exposed_bone_weeks, pain_or_infection,
                        stage3_feature, nonspecific_sign):
            \"\"\"The AAOMS 2022 stage of a patient: "not_mronj", "at_risk", "0", "1", "2" or "3".\"\"\"
            ### BEGIN SOLUTION
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
            ### END SOLUTION
        """))
    cells.append(A.code("""
        # Try your function on one patient before running the tests (change the values and re-run):
        aaoms_stage(drug_exposure=True, radiotherapy_or_metastasis=False, exposed_bone_weeks=12,
                    pain_or_infection=False, stage3_feature=False, nonspecific_sign=False)
        """))
    cells.append(A.tests("q4_basic_tests", """
        from osteonecrosis.exercises import as_stage

        def _s(**facts):
            base = dict(drug_exposure=True, radiotherapy_or_metastasis=False, exposed_bone_weeks=0,
                        pain_or_infection=False, stage3_feature=False, nonspecific_sign=False)
            base.update(facts)
            return as_stage(aaoms_stage(**base), "aaoms_stage(...)")

        assert _s() == "at_risk", "A treated patient with a healthy mouth is 'at_risk' (notebook 04)."
        assert _s(exposed_bone_weeks=12) == "1", (
            "12 weeks of exposed bone, no pain, no infection, no stage-3 feature: stage 1.")
        assert _s(exposed_bone_weeks=12, pain_or_infection=True) == "2", (
            "Exposed bone for more than 8 weeks with pain or infection is stage 2.")
        ### BEGIN HIDDEN TESTS
        assert _s(nonspecific_sign=True) == "0", (
            "No exposed bone but a nonspecific sign: stage 0 (the non-exposed variant).")
        assert _s(drug_exposure=False) == "not_mronj", "Without any drug exposure it cannot be MRONJ."
        assert _s(exposed_bone_weeks=30, pain_or_infection=True, stage3_feature=True) == "3", (
            "A stage-3 feature with exposed bone for more than 8 weeks is stage 3.")
        ### END HIDDEN TESTS
        """, points=3))
    cells.append(A.tests("q4_edge_tests", """
        from osteonecrosis.exercises import as_stage

        def _s(**facts):
            base = dict(drug_exposure=True, radiotherapy_or_metastasis=False, exposed_bone_weeks=0,
                        pain_or_infection=False, stage3_feature=False, nonspecific_sign=False)
            base.update(facts)
            return as_stage(aaoms_stage(**base), "aaoms_stage(...)")

        assert _s(radiotherapy_or_metastasis=True, exposed_bone_weeks=20, pain_or_infection=True) == "not_mronj", (
            "Radiotherapy to the jaws (or a jaw metastasis) excludes MRONJ, however the bone looks: check the "
            "exclusions first.")
        ### BEGIN HIDDEN TESTS
        assert _s(exposed_bone_weeks=8) == "not_mronj", (
            "Exactly 8 weeks is not 'more than 8 weeks': not MRONJ yet (re-examine later).")
        assert _s(exposed_bone_weeks=8, pain_or_infection=True, stage3_feature=True) == "not_mronj", (
            "At 8 weeks even a stage-3 feature does not make it MRONJ yet: the time criterion comes first.")
        assert _s(exposed_bone_weeks=8.5) == "1", "8.5 weeks is more than 8 weeks: stage 1."
        assert _s(exposed_bone_weeks=20, stage3_feature=True) == "3", (
            "A stage-3 feature decides, even without pain or infection (the course's teaching rule).")
        assert _s(exposed_bone_weeks=20, stage3_feature=True, radiotherapy_or_metastasis=True) == "not_mronj", (
            "An exclusion beats every finding, stage-3 features included.")
        assert _s(drug_exposure=False, exposed_bone_weeks=20, pain_or_infection=True) == "not_mronj", (
            "Exposed bone without any drug exposure is not MRONJ.")
        assert _s(exposed_bone_weeks=12, nonspecific_sign=True) == "1", (
            "Nonspecific signs matter only when no bone is exposed; with exposed bone the stage is 1 to 3.")
        assert _s(drug_exposure=False, nonspecific_sign=True) == "not_mronj", (
            "Stage 0 also needs drug exposure.")
        ### END HIDDEN TESTS
        """, points=4))
    cells.append(A.tests("q4_library_tests", """
        from osteonecrosis import library_case
        from osteonecrosis.exercises import as_stage, staging_arguments

        facts = staging_arguments(library_case("op-alendronate-stage1"))
        print(facts)
        assert as_stage(aaoms_stage(**facts)) == "1", (
            "The painless exposed bone under a denture (12 weeks) is stage 1: compare your rules with Part B.")
        ### BEGIN HIDDEN TESTS
        from osteonecrosis import library
        from osteonecrosis.staging import stage
        for _cid, _case in library().items():
            _got = as_stage(aaoms_stage(**staging_arguments(_case)), _cid)
            assert _got == stage(_case).stage, f"{_cid}: your function disagrees with the course's staging."
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
