"""Build solutions/ps1_drugs_and_risk/ps1_drugs_and_risk.ipynb (the nbgrader source).

Run: .venv/bin/python tools/assignments/ps1_drugs_and_risk.py && make release && make check
Every expected clinical value is read from the knowledge base (entries marked answer: true) HERE, when the
assignment is built, and written into the tests as a literal: nothing a student's code changes in the kernel
can move it. Ids, units, the rounding rule and the year length come from osteonecrosis.vocabulary, the same
place the course notebooks print them from.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from classroom import authoring as A
from osteonecrosis import knowledge, risk, vocabulary
from osteonecrosis.cases import drug_catalogue

ID = "ps1_drugs_and_risk"
OUT = Path(__file__).resolve().parents[2] / "solutions" / ID / f"{ID}.ipynb"
CLASSES = tuple(vocabulary.DRUG_CLASSES)
DRUGS = ["alendronate", "zoledronate", "denosumab", "romosozumab", "bevacizumab"]
YEAR = vocabulary.DAYS_PER_YEAR
TOL = vocabulary.TOLERANCE
GROUPS = tuple(vocabulary.RISK_GROUPS)  # keys of risk.extraction_effect()["absolute_after_extraction"]
AFTER = risk.extraction_effect()["absolute_after_extraction"]
RR = next(e for e in risk.extraction_effect()["estimates"] if e["id"] == "extraction-crude-rr")
TF = knowledge.find("taskforce-osteoporosis", "risk")
ZOL_OP, ZOL_ONC = knowledge.find("zoledronate-op-yearly", "drugs"), knowledge.find("zoledronate-onc-monthly", "drugs")
HIDDEN_REGIMENS = ("denosumab-op", "denosumab-onc", "zoledronate-onc-monthly", "ibandronate-op-iv")

# Package functions that would answer a question for the student (flagged by grade-class for review).
FORBIDDEN: list[str] = ["osteonecrosis.vocabulary.percent_to_per", "osteonecrosis.vocabulary.doses_per_year"]
# The knowledge entries each graded item's key rests on (make check: none superseded or contested).
RESTS_ON: dict[str, list[str]] = {
    **{f"q1_{d}": [d] for d in DRUGS},
    **{f"q2_{d}": [d] for d in DRUGS[:4]},
    "q3_osteoporosis": ["zoledronate-op-yearly"],
    "q3_bone_metastases": ["zoledronate-op-yearly", "zoledronate-onc-monthly"],
    "q4_tests": list(HIDDEN_REGIMENS),
    "q5_tests": ["zoledronate-op-yearly", "zoledronate-onc-monthly"],
    "q6_tests": [],
    **{f"q7_{g}": [AFTER[g]["id"]] for g in GROUPS},
    "q8_tests": ["extraction-crude-rr", "taskforce-osteoporosis"],
    "q9_written": [AFTER["low_dose"]["id"], "taskforce-osteoporosis"],
    "q10_written": ["alendronate", "denosumab"],
}


def _short(message: str) -> str:
    """A feedback message, refused at build time when nbgrader validate would cut it (80 characters)."""
    if len(message) > 80:
        raise ValueError(f"feedback message longer than 80 characters: {message!r}")
    return message


def q2_test(drug: str, retained: bool) -> str:
    """The test cell of one drug of Question 2: the list's form now, denosumab (the worked example) now,
    whether this drug is in the list at grading."""
    form = f"""
        from osteonecrosis.exercises import answer_of, as_id_list, visible_checks_passed

        answer_of("retained_in_bone")
        given = as_id_list(retained_in_bone, "Q2 retained_in_bone")
        known = {sorted(DRUGS[:4])!r}
        unknown = [d for d in given if d not in known]
        assert not unknown, f"Q2: {{unknown}} not among the ids {{known}} (notebook 01, 'The drugs')"
        """
    form = form.rstrip() + "\n"
    if drug == "denosumab":
        return form + f"""\
        assert "denosumab" not in given, (
            {_short("Q2 denosumab: an antibody, not stored in bone (notebook 01, 'Denosumab')")!r})
        visible_checks_passed("Q2 denosumab")
        """
    membership = "in" if retained else "not in"
    return form + f"""\
        visible_checks_passed("Q2 {drug}")
        ### BEGIN HIDDEN TESTS
        assert {drug!r} {membership} given, (
            {_short(f"Q2 {drug}: does it bind bone mineral? (notebook 01, 'Bisphosphonates')")!r})
        ### END HIDDEN TESTS
        """


def q7_test(group: str, want: tuple[float, float], high_percent: float) -> str:
    """The test cell of one group of Question 7: its key and a (low, high) pair converted to per 1000 now,
    its two numbers at grading. Each group is graded alone (a wrong group costs that group's point only)."""
    named = "the group id, not 'osteoporosis'" if group == "low_dose" else f"write the key {group!r}"
    form = [
        'assert isinstance(after_extraction_per_1000, dict), '
        + repr(_short("Q7: write a dictionary {'oncology': (low, high), ...}")),
        f'assert {group!r} in after_extraction_per_1000, '
        + repr(_short(f"Q7 {group}: no pair for {group!r}: {named}")),
        f'pair = after_extraction_per_1000[{group!r}]',
        'assert len(pair) == 2, ' + repr(_short(f"Q7 {group}: give two numbers, (low, high)")),
        f'low, high = (as_number(x, "Q7 {group}") for x in pair)',
        'assert low <= high, ' + repr(_short(f"Q7 {group}: the low end comes first")),
    ]
    if high_percent > 0:
        form += [
            f'assert high != {high_percent!r}, '
            + repr(_short(f"Q7 {group}: per 1000, not per cent (notebook 03, 'Per cent, per 1000')")),
            'assert high <= 1000, '
            + repr(_short(f"Q7 {group}: per cent x 10, not x 100 (notebook 03, 'Per cent, per 1000')")),
        ]
    body = "\n".join(form)
    return f"""
        from osteonecrosis.exercises import answer_of, as_number, visible_checks_passed

        after_extraction_per_1000 = answer_of("after_extraction_per_1000")
{textwrap.indent(body, " " * 8)}
        visible_checks_passed("Q7 {group}")
        ### BEGIN HIDDEN TESTS
        want = {tuple(float(w) for w in want)!r}
        assert all(abs(g - w) <= {TOL!r} for g, w in zip((low, high), want)), (
            {_short(f"Q7 {group}: the published range per 1000 (notebook 03, 'The extraction effect')")!r})
        ### END HIDDEN TESTS
        """


def q1_test(drug: str, name: str, cls: str) -> str:
    """The test cell of one drug of Question 1: the form of the whole answer and of this drug's entry now;
    denosumab's class (the worked example) now, every other drug's class at grading."""
    checks = [
        'assert isinstance(drug_classes, dict), ' + repr(_short("Q1: write a dictionary {'alendronate': '...', ...} "
                                                                "(notebook 00, 'Dictionaries')")),
        f'assert {name!r} not in drug_classes, '
        + repr(_short(f"Q1: write the id {drug!r}, not its display name (notebook 01, 'The drugs')")),
        f'assert sorted(drug_classes) == {sorted(DRUGS)!r}, '
        + repr(_short("Q1: give a class for exactly the five drug ids of the question")),
        f'assert drug_classes[{drug!r}] in {CLASSES!r}, '
        + repr(_short(f"Q1 {drug}: not a class id of the table (notebook 01, 'The drugs')")),
    ]
    value = (f'assert drug_classes[{drug!r}] == {cls!r}, '
             + repr(_short(f"Q1 {drug}: reconsider its class (notebook 01, 'The drugs')")))
    if drug == "denosumab":
        value = (f'assert drug_classes[{drug!r}] == {cls!r}, '
                 + repr(_short("Q1 denosumab: an antibody, not a bisphosphonate (notebook 01, 'Denosumab')")))
        body = checks + [value, 'visible_checks_passed("Q1 denosumab")']
    else:
        body = checks + [f'visible_checks_passed("Q1 {drug}")', "### BEGIN HIDDEN TESTS", value,
                         "### END HIDDEN TESTS"]
    return "\n".join(['from osteonecrosis.exercises import answer_of, visible_checks_passed', '',
                      'drug_classes = answer_of("drug_classes")', *body])


def q3_test(use: str, dose: float, every: float) -> str:
    """The test cell of one zoledronate regimen of Question 3: the form of the answer now (and, for the cancer
    regimen, that it is the frequent one); this regimen's dose and interval at grading."""
    lines = [
        "from osteonecrosis.exercises import answer_of, as_number, visible_checks_passed",
        "",
        'zoledronate_regimens = answer_of("zoledronate_regimens")',
        'assert isinstance(zoledronate_regimens, dict), '
        + repr(_short("Q3: write a dictionary of two regimens (notebook 00, 'Dictionaries')")),
        'assert set(zoledronate_regimens) == {"osteoporosis", "bone_metastases"}, '
        + repr(_short("Q3: use the two keys 'osteoporosis' and 'bone_metastases'")),
        f'reg = zoledronate_regimens[{use!r}]',
        'assert set(reg) == {"dose_mg", "every_days"}, ' + repr(_short(f"Q3 {use}: give 'dose_mg' and 'every_days'")),
        f'as_number(reg["dose_mg"], {f"Q3 {use} dose_mg"!r})',
        f'as_number(reg["every_days"], {f"Q3 {use} every_days"!r})',
    ]
    if use == "bone_metastases":
        lines.append('assert reg["every_days"] < zoledronate_regimens["osteoporosis"]["every_days"], '
                     + repr(_short("Q3: the cancer regimen is the frequent one (notebook 01, 'Osteoporosis "
                                   "doses')")))
    lines += [
        f'visible_checks_passed("Q3 {use}")',
        "### BEGIN HIDDEN TESTS",
        f'assert reg["dose_mg"] == {dose!r}, ' + repr(_short(f"Q3 {use}: dose in mg (notebook 01, 'Osteoporosis doses and oncology')")),
        f'assert reg["every_days"] == {every!r}, ' + repr(_short(f"Q3 {use}: interval (notebook 01, 'Osteoporosis doses and oncology')")),
        "### END HIDDEN TESTS",
    ]
    return "\n".join(lines)


def build() -> list:
    cat = drug_catalogue()
    op_high_per_1000 = AFTER["low_dose"]["high_percent"] * 10
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
        test cell below it. Each test cell runs **visible checks now**: the form of your answer and the worked
        example the question shows. A failing check names what to reconsider and where in the course; when
        they pass it says so, and **that is not your grade**: hidden tests check the general case when your
        work is graded (each question says what they check). If a test cell says a name "is not defined", go
        back to its answer cell and fix the **first** error it shows.

        Write ids exactly as the course prints them (notebook 01 shows each id beside its display name), numbers
        without quotes, and computed numbers unrounded: {vocabulary.ROUNDING_RULE} A year is {YEAR} days. You may
        look things up in the course notebooks and the `osteonecrosis` package, but write the calculations
        yourself: answers that call `vocabulary.percent_to_per` or `vocabulary.doses_per_year` are flagged for
        your instructor. Written answers (*graded by hand*) go where it says "YOUR ANSWER HERE".

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
    q1 = A.markdown(f"""
        ### Question 1 · Drug classes {A.points_line(len(DRUGS))}

        Fill in the dictionary `drug_classes`: for each drug id, its class id, written exactly as in this table
        (notebook 01, 'The drugs at a glance', shows the same ids beside the names):

        CLASS_TABLE

        One point per drug. *Checked now:* a dictionary with the five drug ids and class ids from the table,
        and denosumab. *Checked at grading:* the class of each of the other four drugs.
        """)
    q1.source = q1.source.replace("CLASS_TABLE", vocabulary.id_table("classes"))  # after dedent: a table
    cells.append(q1)
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
    want_classes = {d: drug_catalogue()[d]["class"] for d in DRUGS}
    names = vocabulary.drug_names()
    for drug in DRUGS:  # one drug, one cell, one point: no all-or-nothing group
        cells.append(A.tests(f"q1_{drug}", q1_test(drug, names[drug], want_classes[drug]), points=1))
    cells.append(A.markdown(f"""
        ### Question 2 · Which drugs stay in bone? {A.points_line(len(DRUGS[:4]))}

        Of `alendronate`, `zoledronate`, `denosumab` and `romosozumab`, which are **retained in the skeleton
        for years** after the last dose? Write their ids as a list, `retained_in_bone`.

        One point per drug, in the list or left out. *Checked now:* a list of ids from the four, and
        denosumab. *Checked at grading:* each of the other three drugs.
        """))
    cells.append(A.answer("q2_retained", """
        retained_in_bone = None
        ### BEGIN SOLUTION
        retained_in_bone = ["alendronate", "zoledronate"]
        ### END SOLUTION
        """))
    for drug in DRUGS[:4]:  # one drug, one decision, one point
        retained = drug_catalogue()[drug]["half_life"]["kind"] == "skeletal"
        cells.append(A.tests(f"q2_{drug}", q2_test(drug, retained), points=1))

    # ---- Part B: regimens ------------------------------------------------------------------------------
    cells.append(A.markdown(f"""
        ## Part B · Regimens

        The same drug can be given at very different intensities. Zoledronic acid (id `zoledronate`) is used
        once a year for osteoporosis and every few weeks for bone metastases.

        ### Question 3 · Two zoledronic acid regimens {A.points_line(2)}

        Fill in `zoledronate_regimens` with the dose in mg and the interval in days of each regimen, as the
        drug catalogue gives them (notebook 01, 'Osteoporosis doses and oncology doses', or
        `osteonecrosis.cases.drug_catalogue()["zoledronate"]["regimens"]`, whose `every_days` you copy).

        One point per regimen. *Checked now:* the keys, numbers without quotes, and which regimen is the
        frequent one. *Checked at grading:* each regimen's dose and interval.
        """))
    cells.append(A.answer("q3_regimens", f"""
        zoledronate_regimens = None
        ### BEGIN SOLUTION
        zoledronate_regimens = {{
            "osteoporosis": {{"dose_mg": {ZOL_OP["dose_mg"]}, "every_days": {ZOL_OP["every_days"]}}},
            "bone_metastases": {{"dose_mg": {ZOL_ONC["dose_mg"]}, "every_days": {ZOL_ONC["every_days"]}}},
        }}
        ### END SOLUTION
        """))
    want_reg = {"osteoporosis": (ZOL_OP["dose_mg"], ZOL_OP["every_days"]),
                "bone_metastases": (ZOL_ONC["dose_mg"], ZOL_ONC["every_days"])}
    for use in ("osteoporosis", "bone_metastases"):  # one regimen, one cell, one point
        cells.append(A.tests(f"q3_{use}", q3_test(use, *want_reg[use]), points=1))
    cells.append(A.markdown(f"""
        ### Question 4 · Milligrams per year {A.points_line(3)}

        Write a function `mg_per_year(dose_mg, every_days)` that returns the milligrams given in a year
        ({YEAR} days, the course's year) by a regimen of `dose_mg` every `every_days` days. Worked example:
        70 mg every 7 days is {YEAR} / 7 doses, so {70 * YEAR / 7:g} mg a year.

        *Checked now:* the worked example. *Checked at grading:* other doses and intervals, fractions of a day.
        """))
    cells.append(A.answer("q4_function", f"""
        def mg_per_year(dose_mg, every_days):
            \"\"\"Milligrams a year ({YEAR} days) of a regimen: dose_mg every every_days days.\"\"\"
            ### BEGIN SOLUTION
            return dose_mg * {YEAR} / every_days
            ### END SOLUTION
        """))
    hidden4 = [(1, 0.5), (5, 365)] + [(knowledge.find(r, "drugs")["dose_mg"], knowledge.find(r, "drugs")["every_days"])
                                       for r in HIDDEN_REGIMENS]
    cases4 = [(d, e, d * YEAR / e) for d, e in hidden4]
    cells.append(A.tests("q4_tests", f"""
        import math
        from osteonecrosis.exercises import answer_of, as_number, visible_checks_passed

        answer_of("mg_per_year")
        got = mg_per_year(70, 7)
        assert not isinstance(got, str), "Q4: return a number, not text (notebook 00, 'Small functions')"
        got = as_number(got, "Q4 mg_per_year(70, 7)")
        assert math.isclose(got, {70 * YEAR / 7!r}), (
            f"Q4: 70 mg/7 days = {70 * YEAR / 7:g} mg/year, not {{got}} (notebook 01, 'Osteoporosis doses')")
        visible_checks_passed("Q4")
        ### BEGIN HIDDEN TESTS
        for dose, every, want in {cases4!r}:
            assert math.isclose(as_number(mg_per_year(dose, every), "Q4"), want), (
                f"Q4: {{dose}} mg every {{every}} days gives {{want:g}} mg a year; check your formula")
        ### END HIDDEN TESTS
        """, points=3))
    ratio = (ZOL_ONC["dose_mg"] * YEAR / ZOL_ONC["every_days"]) / (ZOL_OP["dose_mg"] * YEAR / ZOL_OP["every_days"])
    cells.append(A.markdown(f"""
        ### Question 5 · How much more? {A.points_line(2)}

        Using your function and your answer to question 3, how many times more zoledronic acid does the
        cancer regimen give in a year than the osteoporosis regimen? Store the number in `zoledronate_ratio`,
        unrounded.

        *Checked now:* a number without quotes, bigger than 1. *Checked at grading:* its value.
        """))
    cells.append(A.answer("q5_ratio", """
        zoledronate_ratio = None
        ### BEGIN SOLUTION
        zoledronate_ratio = mg_per_year(4, 28) / mg_per_year(5, 365)
        ### END SOLUTION
        """))
    cells.append(A.tests("q5_tests", f"""
        from osteonecrosis.exercises import answer_of, as_number, visible_checks_passed

        answer_of("zoledronate_ratio")
        value = as_number(zoledronate_ratio, "Q5 zoledronate_ratio")
        assert value > 1, "Q5: cancer dose / osteoporosis dose (notebook 01, 'Osteoporosis doses and')"
        assert value != round(value), "Q5: keep the decimals: do not round the ratio (Question 5 text)"
        visible_checks_passed("Q5")
        ### BEGIN HIDDEN TESTS
        assert abs(value - {ratio!r}) < {TOL!r}, (
            "Q5: yearly mg of the cancer regimen / yearly mg of the osteoporosis one (Q3, Q4)")
        ### END HIDDEN TESTS
        """, points=2))

    # ---- Part C: absolute risk ---------------------------------------------------------------------------
    cells.append(A.markdown(f"""
        ## Part C · Absolute risk, in numbers a patient can use

        Risks in the literature are given in per cent of patients. Patients understand **natural frequencies**
        better: "about 2 in 1000 people like you". Notebook 03 shows the risk ranges and their sources.

        ### Question 6 · From per cent to per 1000 {A.points_line(2)}

        Write `per_1000(percent)`, which turns a percentage of patients into a number of patients per 1000.
        Worked example: 1% is 1 in 100, so 10 in 1000.

        *Checked now:* the worked example. *Checked at grading:* zero, small and large percentages.
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
        from osteonecrosis.exercises import answer_of, as_number, visible_checks_passed

        answer_of("per_1000")
        assert math.isclose(as_number(per_1000(1), "Q6 per_1000(1)"), 10), (
            f"Q6: 1% is 10 in 1000, yours gives {per_1000(1)} (notebook 03, 'Per cent, per 1000')")
        visible_checks_passed("Q6")
        ### BEGIN HIDDEN TESTS
        for percent, want in ((0, 0), (0.02, 0.2), (14.8, 148)):
            assert math.isclose(as_number(per_1000(percent), "Q6"), want), f"Q6: {percent}% is {want} in 1000"
        ### END HIDDEN TESTS
        """, points=2))
    group_words = ", ".join(f"`{g!r}` ({vocabulary.RISK_GROUPS[g]})" for g in GROUPS)
    cells.append(A.markdown(f"""
        ### Question 7 · After an extraction {A.points_line(len(GROUPS))}

        AAOMS 2022 gives the risk of MRONJ **after a tooth extraction** as a range for each group (notebook 03,
        'The extraction effect'; or `osteonecrosis.risk.extraction_effect()["absolute_after_extraction"]`,
        whose keys are the group ids). Fill in `after_extraction_per_1000` with the (low, high) number of
        patients **per 1000** for each group, under the same keys: {group_words}. One point per group.

        *Checked now:* each group's key, a pair of numbers (low first), and that you converted per cent to
        per 1000. *Checked at grading:* each number.
        """))
    lo = {g: AFTER[g]["low_percent"] for g in GROUPS}
    hi = {g: AFTER[g]["high_percent"] for g in GROUPS}
    cells.append(A.answer("q7_extraction", f"""
        after_extraction_per_1000 = None
        ### BEGIN SOLUTION
        after_extraction_per_1000 = {{
            "oncology": (per_1000({lo["oncology"]}), per_1000({hi["oncology"]})),
            "low_dose": (per_1000({lo["low_dose"]}), per_1000({hi["low_dose"]})),
        }}
        ### END SOLUTION
        """))
    for group in GROUPS:
        cells.append(A.tests(f"q7_{group}", q7_test(group, (lo[group] * 10, hi[group] * 10), hi[group]),
                             points=1))
    base = TF["high_percent"] * 100  # per 10,000
    cells.append(A.markdown(f"""
        ### Question 8 · A relative risk made absolute {A.points_line(2)}

        A meta-analysis found that a tooth extraction multiplies the risk of MRONJ by a crude relative risk of
        **{RR["point"]:g}** (95% CI {RR["ci_low"]:g} to {RR["ci_high"]:g}; notebook 03, 'The extraction effect').
        Take an osteoporosis patient whose baseline risk is at the top of the International Task Force range,
        {TF["high_percent"]:g}% ({base:g} in 10,000). If the extraction multiplies her risk by the crude
        relative risk, how many patients **per 10,000** like her would develop MRONJ? Store the number in
        `per_10000_after_extraction`, unrounded (use {RR["point"]:g}, not a rounded 4).

        *Checked now:* a number, of the right order, not rounded. *Checked at grading:* its value.
        """))
    cells.append(A.answer("q8_relative", f"""
        per_10000_after_extraction = None
        ### BEGIN SOLUTION
        per_10000_after_extraction = {base:g} * {RR["point"]:g}
        ### END SOLUTION
        """))
    cells.append(A.tests("q8_tests", f"""
        from osteonecrosis.exercises import answer_of, as_number, visible_checks_passed

        answer_of("per_10000_after_extraction")
        value = as_number(per_10000_after_extraction, "Q8 per_10000_after_extraction")
        assert value < 100, (
            "Q8: baseline {base:g} per 10,000 x the RR (notebook 03, 'The extraction effect')")
        assert value != round(value), "Q8: use the exact relative risk {RR["point"]:g}, not a rounded 4 (Question 8)"
        visible_checks_passed("Q8")
        ### BEGIN HIDDEN TESTS
        assert abs(value - {base * RR["point"]!r}) < {TOL!r}, (
            "Q8: baseline per 10,000 times the crude relative risk (notebook 03, 'The extraction effect')")
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
