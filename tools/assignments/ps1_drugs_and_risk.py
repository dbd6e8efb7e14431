"""Build solutions/ps1_drugs_and_risk/ps1_drugs_and_risk.ipynb (the nbgrader source).

Run: .venv/bin/python tools/assignments/ps1_drugs_and_risk.py && make release && make check
Hidden tests compute every expected clinical value from the knowledge base (entries marked answer: true).
"""

from __future__ import annotations

from pathlib import Path

from classroom import authoring as A
from osteonecrosis import knowledge, risk
from osteonecrosis.cases import drug_catalogue

ID = "ps1_drugs_and_risk"
OUT = Path(__file__).resolve().parents[2] / "solutions" / ID / f"{ID}.ipynb"
CLASSES = ("nitrogen_bisphosphonate", "non_nitrogen_bisphosphonate", "rank_ligand_antibody",
           "sclerostin_antibody", "antiangiogenic")

FORBIDDEN: list[str] = []
RESTS_ON: dict[str, list[str]] = {}


def build() -> list:
    cat = drug_catalogue()
    op_high_per_1000 = risk.extraction_effect()["absolute_after_extraction"]["low_dose"]["high_percent"] * 10
    tf_high = knowledge.find("taskforce-osteoporosis", "risk")["high_percent"]
    aln, dmab = cat["alendronate"]["half_life"], cat["denosumab"]["half_life"]
    cells = []
    cells.append(A.markdown(f"""
        # Problem set 1 · The drugs and the risk

        *Time: about 60 minutes. Before you start: course notebooks 00 (primer), 01 (bone remodelling and the
        drugs) and 03 (risk).*

        {A.TOTAL_PLACEHOLDER}

        By the end you should be able to:

        1. name the class and mechanism of the drugs linked with osteonecrosis of the jaw, and say which stay
           in bone for years;
        2. read a regimen (dose, route, interval) and compare the yearly dose of osteoporosis and cancer regimens;
        3. turn published risk percentages into **absolute numbers per 1000 patients**, and a relative risk into
           an absolute one;
        4. explain the risk to a patient in words and numbers she can use.

        **How to work.** Replace each `raise NotImplementedError()` with your answer, run the cell, then run the
        test cell below it: a passing test prints nothing, a failing one says what to reconsider and where.
        Hidden tests run when your work is graded. You may look things up in the course notebooks and with the
        `osteonecrosis` package, as the course does. Written answers (*graded by hand*) go where it says
        "YOUR ANSWER HERE".

        > This problem set teaches; it is not a clinical decision tool.
        """))
    cells.append(A.readonly("setup", """
        from osteonecrosis import teaching
        from osteonecrosis.exercises import answered

        teaching.disclaimer()
        """))

    # ---- Part A: mechanisms --------------------------------------------------------------------------
    cells.append(A.markdown("""
        ## Part A · Mechanisms

        Warm up (not graded): which target does denosumab act on?
        """))
    cells.append(A.code("""
        teaching.quiz(
            "Denosumab stops osteoclasts forming and working. What does it bind?",
            ["Farnesyl pyrophosphate synthase", "RANKL", "Sclerostin", "VEGF-A"],
            answer="RANKL",
            explanation="Denosumab is an antibody against RANKL, the signal osteoclasts need; it is not stored "
                        "in bone, so its effect wears off within months of the last dose.",
            hints={"Farnesyl pyrophosphate synthase": "That is the enzyme nitrogen bisphosphonates block.",
                   "Sclerostin": "That is romosozumab's target.",
                   "VEGF-A": "That is bevacizumab's target (an antiangiogenic drug)."},
        )
        """))
    cells.append(A.markdown(f"""
        ### Question 1 · Drug classes {A.points_line(3)}

        Fill in the dictionary `drug_classes`: for each drug, its class, written exactly as one of
        `{'`, `'.join(CLASSES)}` (notebook 01, 'The drugs').
        """))
    cells.append(A.answer("q1_classes", """
        drug_classes = None
        ### BEGIN SOLUTION
        drug_classes = {
            "alendronate": "nitrogen_bisphosphonate",
            "zoledronate": "nitrogen_bisphosphonate",
            "denosumab": "rank_ligand_antibody",
            "romosozumab": "sclerostin_antibody",
            "bevacizumab": "antiangiogenic",
        }
        ### END SOLUTION
        """))
    cells.append(A.tests("q1_tests", f"""
        from osteonecrosis.exercises import answered

        answered(drug_classes, "drug_classes")
        allowed = {CLASSES!r}
        drugs = ["alendronate", "zoledronate", "denosumab", "romosozumab", "bevacizumab"]
        assert isinstance(drug_classes, dict), "Write a dictionary: {{\\"alendronate\\": \\"...\\", ...}}."
        assert sorted(drug_classes) == sorted(drugs), f"Give a class for exactly these drugs: {{drugs}}."
        for drug, cls in drug_classes.items():
            assert cls in allowed, f"{{drug}}: {{cls!r}} is not one of the class names {{allowed}}."
        assert drug_classes["denosumab"] != "nitrogen_bisphosphonate", (
            "Denosumab is not a bisphosphonate: it is an antibody. Which molecule does it bind? (notebook 01)")
        ### BEGIN HIDDEN TESTS
        from osteonecrosis.cases import drug_catalogue
        for drug in drugs:
            assert drug_classes[drug] == drug_catalogue()[drug]["class"], (
                f"{{drug}}: reconsider its class (notebook 01, 'The drugs').")
        ### END HIDDEN TESTS
        """, points=3))
    cells.append(A.markdown(f"""
        ### Question 2 · Which drugs stay in bone? {A.points_line(2)}

        Of `alendronate`, `zoledronate`, `denosumab` and `romosozumab`, which are **retained in the skeleton
        for years** after the last dose? Write them as a list, `retained_in_bone`.
        """))
    cells.append(A.answer("q2_retained", """
        retained_in_bone = None
        ### BEGIN SOLUTION
        retained_in_bone = ["alendronate", "zoledronate"]
        ### END SOLUTION
        """))
    cells.append(A.tests("q2_tests", """
        from osteonecrosis.exercises import answered, as_id_list

        answered(retained_in_bone, "retained_in_bone")
        given = as_id_list(retained_in_bone, "retained_in_bone")
        known = {"alendronate", "zoledronate", "denosumab", "romosozumab"}
        assert set(given) <= known, f"Choose only among {sorted(known)}; you wrote {given}."
        assert "denosumab" not in given, (
            "Denosumab is an antibody with a serum half-life of weeks; it is not stored in bone, which is why "
            "its effect wears off (and rebounds) after stopping (notebook 01).")
        ### BEGIN HIDDEN TESTS
        from osteonecrosis.cases import drug_catalogue
        want = {d for d in known if drug_catalogue()[d]["half_life"]["kind"] == "skeletal"}
        assert set(given) == want, (
            "Bisphosphonates bind bone mineral and stay for years; the antibodies do not (notebook 01, "
            "'How long the drugs stay').")
        ### END HIDDEN TESTS
        """, points=2))

    # ---- Part B: regimens ------------------------------------------------------------------------------
    cells.append(A.markdown(f"""
        ## Part B · Regimens

        The same drug can be given at very different intensities. Zoledronic acid is used once a year for
        osteoporosis and every few weeks for bone metastases.

        ### Question 3 · Two zoledronic acid regimens {A.points_line(2)}

        Fill in `zoledronate_regimens` with the dose in mg and the interval in days of each regimen (use
        `every_days` = 28 for "every 3 to 4 weeks"). Look them up in notebook 01 or with
        `osteonecrosis.cases.drug_catalogue()["zoledronate"]["regimens"]`.
        """))
    cells.append(A.answer("q3_regimens", """
        zoledronate_regimens = None
        ### BEGIN SOLUTION
        zoledronate_regimens = {
            "osteoporosis": {"dose_mg": 5, "every_days": 365},
            "bone_metastases": {"dose_mg": 4, "every_days": 28},
        }
        ### END SOLUTION
        """))
    cells.append(A.tests("q3_tests", """
        from osteonecrosis.exercises import answered, as_number

        answered(zoledronate_regimens, "zoledronate_regimens")
        assert set(zoledronate_regimens) == {"osteoporosis", "bone_metastases"}, (
            "Use the two keys 'osteoporosis' and 'bone_metastases'.")
        for use, reg in zoledronate_regimens.items():
            assert set(reg) == {"dose_mg", "every_days"}, f"{use}: give 'dose_mg' and 'every_days'."
            as_number(reg["dose_mg"], f"{use} dose_mg")
            as_number(reg["every_days"], f"{use} every_days")
        _onc, _op = zoledronate_regimens["bone_metastases"], zoledronate_regimens["osteoporosis"]
        assert _onc["every_days"] < _op["every_days"], (
            "The cancer regimen is the frequent one (every few weeks); osteoporosis is treated once a year.")
        ### BEGIN HIDDEN TESTS
        from osteonecrosis import knowledge
        for use, rid in (("osteoporosis", "zoledronate-op-yearly"), ("bone_metastases", "zoledronate-onc-monthly")):
            entry = knowledge.find(rid, "drugs")
            assert zoledronate_regimens[use]["dose_mg"] == entry["dose_mg"], f"{use}: check the dose in mg."
            assert zoledronate_regimens[use]["every_days"] == entry["every_days"], f"{use}: check the interval."
        ### END HIDDEN TESTS
        """, points=2))
    cells.append(A.markdown(f"""
        ### Question 4 · Milligrams per year {A.points_line(3)}

        Write a function `mg_per_year(dose_mg, every_days)` that returns the milligrams given in a year
        (365 days) by a regimen of `dose_mg` every `every_days` days. For example 70 mg every 7 days gives
        3650 mg a year.
        """))
    cells.append(A.answer("q4_function", """
        def mg_per_year(dose_mg, every_days):
            \"\"\"Milligrams a year (365 days) of a regimen: dose_mg every every_days days.\"\"\"
            ### BEGIN SOLUTION
            return dose_mg * 365 / every_days
            ### END SOLUTION
        """))
    cells.append(A.tests("q4_tests", """
        import math

        assert math.isclose(mg_per_year(70, 7), 3650), (
            f"70 mg every 7 days is 52.14 doses a year, 3650 mg; your function gives {mg_per_year(70, 7)}. "
            "Count the doses in 365 days, then multiply by the dose.")
        ### BEGIN HIDDEN TESTS
        from osteonecrosis import knowledge
        assert math.isclose(mg_per_year(5, 365), 5), "One dose a year gives one dose's worth of mg."
        assert math.isclose(mg_per_year(1, 0.5), 730), "Work with any interval, even a fraction of a day."
        for rid in ("denosumab-op", "denosumab-onc", "zoledronate-onc-monthly", "ibandronate-op-iv"):
            reg = knowledge.find(rid, "drugs")
            assert math.isclose(mg_per_year(reg["dose_mg"], reg["every_days"]),
                                reg["dose_mg"] * 365 / reg["every_days"]), f"{rid}: check your formula."
        ### END HIDDEN TESTS
        """, points=3))
    cells.append(A.markdown(f"""
        ### Question 5 · How much more? {A.points_line(2)}

        Using your function and your answer to question 3, how many times more zoledronic acid does the
        cancer regimen give in a year than the osteoporosis regimen? Store the number in `zoledronate_ratio`
        (no rounding needed).
        """))
    cells.append(A.answer("q5_ratio", """
        zoledronate_ratio = None
        ### BEGIN SOLUTION
        zoledronate_ratio = mg_per_year(4, 28) / mg_per_year(5, 365)
        ### END SOLUTION
        """))
    cells.append(A.tests("q5_tests", """
        from osteonecrosis.exercises import answered, as_number

        answered(zoledronate_ratio, "zoledronate_ratio")
        as_number(zoledronate_ratio, "zoledronate_ratio")
        assert zoledronate_ratio > 1, (
            "The cancer regimen gives MORE drug: divide the cancer figure by the osteoporosis figure.")
        ### BEGIN HIDDEN TESTS
        from osteonecrosis import knowledge
        onc, op = knowledge.find("zoledronate-onc-monthly", "drugs"), knowledge.find("zoledronate-op-yearly", "drugs")
        want = (onc["dose_mg"] * 365 / onc["every_days"]) / (op["dose_mg"] * 365 / op["every_days"])
        assert abs(zoledronate_ratio - want) < 0.05, (
            "Recompute: the yearly mg of 4 mg every 28 days, divided by the yearly mg of 5 mg every 365 days.")
        ### END HIDDEN TESTS
        """, points=2))

    # ---- Part C: absolute risk ---------------------------------------------------------------------------
    cells.append(A.markdown(f"""
        ## Part C · Absolute risk, in numbers a patient can use

        Risks in the literature are given in per cent of patients. Patients understand **natural frequencies**
        better: "about 2 in 1000 people like you". Notebook 03 shows the risk ranges and their sources.

        ### Question 6 · From per cent to per 1000 {A.points_line(2)}

        Write `per_1000(percent)`, which turns a percentage of patients into a number of patients per 1000.
        """))
    cells.append(A.answer("q6_function", """
        def per_1000(percent):
            \"\"\"Patients per 1000 for a risk given in per cent.\"\"\"
            ### BEGIN SOLUTION
            return percent * 10
            ### END SOLUTION
        """))
    cells.append(A.tests("q6_tests", """
        import math

        assert math.isclose(per_1000(1), 10), (
            f"1% is 1 in 100, so 10 in 1000; your function gives {per_1000(1)}.")
        ### BEGIN HIDDEN TESTS
        assert math.isclose(per_1000(0), 0), "0% is 0 in 1000."
        assert math.isclose(per_1000(0.02), 0.2), "0.02% is 0.2 in 1000 (2 in 10,000)."
        assert math.isclose(per_1000(14.8), 148), "14.8% is 148 in 1000."
        ### END HIDDEN TESTS
        """, points=2))
    cells.append(A.markdown(f"""
        ### Question 7 · After an extraction {A.points_line(3)}

        AAOMS 2022 gives the risk of MRONJ **after a tooth extraction** as a range for oncology patients and a
        range for osteoporosis patients (notebook 03, 'The extraction effect'; or
        `osteonecrosis.risk.extraction_effect()["absolute_after_extraction"]`). Fill in
        `after_extraction_per_1000` with the (low, high) number of patients **per 1000** for each group.
        """))
    cells.append(A.answer("q7_extraction", """
        after_extraction_per_1000 = None
        ### BEGIN SOLUTION
        after_extraction_per_1000 = {
            "oncology": (per_1000(1.6), per_1000(14.8)),
            "osteoporosis": (per_1000(0), per_1000(0.15)),
        }
        ### END SOLUTION
        """))
    cells.append(A.tests("q7_tests", """
        from osteonecrosis.exercises import answered, as_number

        answered(after_extraction_per_1000, "after_extraction_per_1000")
        assert set(after_extraction_per_1000) == {"oncology", "osteoporosis"}, (
            "Use the two keys 'oncology' and 'osteoporosis'.")
        for group, pair in after_extraction_per_1000.items():
            assert len(pair) == 2, f"{group}: give two numbers, (low, high)."
            low, high = (as_number(x, group) for x in pair)
            assert low <= high, f"{group}: the low end comes first."
        assert after_extraction_per_1000["oncology"][1] > 10 * after_extraction_per_1000["osteoporosis"][1], (
            "Oncology doses carry a far higher risk than osteoporosis doses (notebook 03).")
        ### BEGIN HIDDEN TESTS
        from osteonecrosis import risk
        after = risk.extraction_effect()["absolute_after_extraction"]
        for group, key in (("oncology", "oncology"), ("osteoporosis", "low_dose")):
            want = (after[key]["low_percent"] * 10, after[key]["high_percent"] * 10)
            got = tuple(float(x) for x in after_extraction_per_1000[group])
            assert all(abs(g - w) <= 0.05 for g, w in zip(got, want)), (
                f"{group}: convert the published percentages with per_1000 (1% = 10 in 1000).")
        ### END HIDDEN TESTS
        """, points=3))
    cells.append(A.markdown(f"""
        ### Question 8 · A relative risk made absolute {A.points_line(2)}

        A meta-analysis found that a tooth extraction multiplies the risk of MRONJ (crude relative risk
        about 4; `osteonecrosis.risk.extraction_effect()["estimates"]` gives the exact figure). Take an
        osteoporosis patient whose baseline risk is at the top of the International Task Force range,
        {tf_high:g}% ({tf_high * 100:g} in 10,000). If the extraction multiplies her risk by the crude relative
        risk, how many patients **per 10,000** like her would develop MRONJ? Store the number in
        `per_10000_after_extraction`.
        """))
    cells.append(A.answer("q8_relative", """
        per_10000_after_extraction = None
        ### BEGIN SOLUTION
        per_10000_after_extraction = 1 * 4.28
        ### END SOLUTION
        """))
    cells.append(A.tests("q8_tests", """
        from osteonecrosis.exercises import answered, as_number

        answered(per_10000_after_extraction, "per_10000_after_extraction")
        value = as_number(per_10000_after_extraction, "per_10000_after_extraction")
        assert value < 100, (
            "A relative risk multiplies the baseline risk (1 in 10,000); it is not itself a number of patients. "
            "Start from 1 per 10,000 and multiply.")
        ### BEGIN HIDDEN TESTS
        from osteonecrosis import knowledge, risk
        rr = next(e["point"] for e in risk.extraction_effect()["estimates"] if e["id"] == "extraction-crude-rr")
        base = knowledge.find("taskforce-osteoporosis", "risk")["high_percent"] * 100  # per 10,000
        assert abs(value - base * rr) < 0.01, (
            "Multiply the baseline (per 10,000) by the crude relative risk from the meta-analysis.")
        ### END HIDDEN TESTS
        """, points=2))
    cells.append(A.markdown(f"""
        ### Question 9 · Telling the patient {A.points_line(3, "graded by hand")}

        A 70-year-old woman has taken alendronate for osteoporosis for 4 years and needs a molar extracted. She
        asks: "Will my jaw rot?" Write what you would tell her (four to six sentences), using **absolute
        numbers** (per 1000 or per 10,000) from this problem set, and say what she and you can do to keep the
        risk low.
        """))
    cells.append(A.written("q9_written", f"""
        ### BEGIN SOLUTION
        **Model answer.** "This problem is rare in people taking osteoporosis tablets: after an extraction,
        the studies gathered by the surgeons' guideline put it somewhere between none and about {op_high_per_1000:g} in
        every 1000 patients like you. So out of 1000 women like you having this tooth out, at most one or two
        would have a slow-healing area of bone, and most would have none. The extraction is worth doing, because an
        infected tooth left in place is itself a risk. We will do it gently, close the wound, and check the
        socket until it has healed; keep your mouth very clean and come back if it hurts or bone shows. Do not
        stop your tablets on your own: that decision belongs to the doctor who prescribes them."

        **Mark scheme (3 points).**
        - 1 point: an absolute figure of the right order (0 to about {op_high_per_1000:g} per 1000 after
          extraction, or the general osteoporosis figure in per 10,000), expressed as a natural frequency.
        - 1 point: puts it in context without false precision (rare; a range; relative risk alone not used to
          frighten; benefit of treating the tooth or of the osteoporosis drug mentioned).
        - 1 point: practical measures (hygiene, gentle technique and follow-up until healed, when to come back)
          and that stopping the drug is the prescriber's decision.
        ### END SOLUTION
        """, points=3))
    cells.append(A.markdown(f"""
        ### Question 10 · Stopping a bisphosphonate versus stopping denosumab {A.points_line(3, "graded by hand")}

        In four to six sentences: why does a pause in alendronate change the amount of drug in the jaw only
        slowly, while stopping denosumab changes bone turnover within months? What is the danger of simply
        stopping denosumab, and who should decide?
        """))
    cells.append(A.written("q10_written", f"""
        ### BEGIN SOLUTION
        **Model answer.** Alendronate binds bone mineral and stays in the skeleton for years (half-life
        {aln["qualifier"]} {aln["value"]} {aln["unit"]}), being released only as bone is remodelled, so a few
        months' pause barely changes what is in the
        jaw. Denosumab is an antibody against RANKL that circulates (half-life {dmab["qualifier"]} {dmab["value"]}
        {dmab["unit"]}) and is not stored
        in bone, so its effect fades within months of the last dose. When denosumab is stopped without a
        follow-on drug, bone resorption rebounds above the starting level, bone is lost quickly and some
        patients have multiple vertebral fractures. Any change is decided by the prescriber, weighing the
        fracture risk against the jaw risk, with the dentist's input.

        **Mark scheme (3 points).**
        - 1 point: bisphosphonate retained in bone for years (binding to mineral; slow release).
        - 1 point: denosumab not stored in bone, effect wears off within months (short serum half-life).
        - 1 point: the rebound (rapid bone loss, vertebral fractures) and that the prescriber decides.
        ### END SOLUTION
        """, points=3))
    cells.append(A.code("""
        teaching.references(["alendronate_label", "denosumab_label", "denosumab_rebound", "zoledronate_label",
                             "mascc2019", "taskforce2015", "aaoms2022", "extraction_meta"])
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
