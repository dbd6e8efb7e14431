"""The trust checks of make check: each one catches the fault it is for, and passes the sound version."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from classroom.authoring import assignment_checks as checks
from classroom.authoring import cells as A
from classroom.authoring.assignment_model import assignment_ids, read_cells


def _cells(tmp_path: Path, cells: list, **meta) -> list:
    path = tmp_path / "nb.ipynb"
    A.write(A.notebook(cells, **meta), path)
    return read_cells(path)


def test_pointer_to_a_missing_heading_is_reported() -> None:
    assert checks.pointer_problems("see notebook 04, 'The case definition'", "x") == []
    bad = checks.pointer_problems("see notebook 04, 'Not yet MRONJ'", "x")
    assert bad and "Not yet MRONJ" in bad[0]
    assert checks.pointer_problems("notebook 42, 'Anything'", "x")[0].endswith("does not exist")
    code = 'assert x, ("Q1: reconsider (notebook 01, "\n    "\'No such section\')")'
    assert checks.pointer_problems(code, "x", code=True), "a pointer split over two string literals is found"


def test_indented_markdown_renders_as_code(tmp_path: Path) -> None:
    good = A.markdown("## Part B\n\nText.")
    bad = A.markdown("## Part B\n\nText.")
    bad.source = "        ## Part B\n\n        **Patient 1.** text"
    cells = _cells(tmp_path, [good, bad])
    problems = checks.rendering_problems(cells, "nb")
    assert len(problems) == 1 and "renders as code" in problems[0]


def test_question_numbers_must_match_grade_ids(tmp_path: Path) -> None:
    cells = _cells(tmp_path, [
        A.markdown("### Question 1 · a"), A.answer("q1_a", "x = None\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
        A.tests("q1_tests", "assert x", 1),
        A.markdown("## Part B"), A.answer("q2_b", "y = None\n### BEGIN SOLUTION\ny = 1\n### END SOLUTION"),
        A.tests("q2_tests", "assert y", 1),
    ])
    problems = checks.numbering_problems(cells, "nb")
    assert any("q2_b sits under Question 1" in p for p in problems)
    fixed = _cells(tmp_path, [
        A.markdown("### Question 1 · a"), A.answer("q1_a", "x = None\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
        A.tests("q1_tests", "assert x", 1),
        A.markdown("### Question 2 · b"), A.answer("q2_b", "y = None\n### BEGIN SOLUTION\ny = 1\n### END SOLUTION"),
        A.tests("q2_tests", "assert y", 1),
    ])
    assert checks.numbering_problems(fixed, "nb") == []


def test_one_patient_per_test_cell(tmp_path: Path) -> None:
    cells = _cells(tmp_path, [
        A.markdown("### Question 1"), A.answer("q1_s", "s = None\n### BEGIN SOLUTION\ns = {}\n### END SOLUTION"),
        A.tests("q1_group_tests", 'assert s["Patient 5"] == "1" and s["Patient 6"] == "2"', 4),
        A.tests("q1_patient7_tests", 'assert s["Patient 7"] == "3"', 1),
    ])
    problems = checks.one_item_per_cell_problems(cells, "nb")
    assert len(problems) == 1 and "q1_group_tests grades 2 patients" in problems[0]


OLD_PS1_Q1 = """
drug_classes = answer_of("drug_classes")
assert isinstance(drug_classes, dict), "Q1: write a dictionary"
assert drug_classes["denosumab"] == "rank_ligand_antibody", "Q1 denosumab: an antibody"
### BEGIN HIDDEN TESTS
for drug, cls in {'alendronate': 'nitrogen_bisphosphonate', 'zoledronate': 'nitrogen_bisphosphonate',
                  'denosumab': 'rank_ligand_antibody', 'romosozumab': 'sclerostin_antibody',
                  'bevacizumab': 'antiangiogenic'}.items():
    assert drug_classes[drug] == cls, f"Q1 {drug}: reconsider its class"
### END HIDDEN TESTS
"""


def _q1(tmp_path: Path, tests: list) -> list:
    answer = A.answer("q1_classes", 'drug_classes = None\n### BEGIN SOLUTION\ndrug_classes = {}\n### END SOLUTION')
    return _cells(tmp_path, [A.markdown("### Question 1"), answer, *tests])


def test_several_independent_entries_in_one_multi_point_cell_are_refused(tmp_path: Path) -> None:
    # the all-or-nothing group ps1 Q1 had until it was split: 3 points for the classes of 5 drugs
    problems = checks.several_items_problems(_q1(tmp_path, [A.tests("q1_tests", OLD_PS1_Q1, 3)]), "nb")
    assert len(problems) == 1 and "q1_tests (3 points) asserts on 6 independent entries" in problems[0]
    # literal keys count one each (a list's items too); a loop over the answer itself is a form check
    keyed = 'assert drug_classes["a"] == 1\nassert drug_classes.get("b") == 2\nfor k in drug_classes:\n    assert k'
    assert "asserts on 2 independent" in checks.several_items_problems(_q1(tmp_path, [A.tests("q1_t", keyed, 2)]),
                                                                       "nb")[0]
    listed = "for i in [0, 1, 2]:\n    assert drug_classes[i] > 0"
    assert checks.several_items_problems(_q1(tmp_path, [A.tests("q1_t", listed, 2)]), "nb")
    # the group ps1 Q7 had (3 points, two risk groups): entries read into a variable first, then asserted
    via_name = ('for group, want in {"oncology": (16, 148), "low_dose": (0, 1.5)}.items():\n'
                '    got = tuple(float(x) for x in drug_classes[group])\n'
                '    assert all(abs(g - w) < 0.05 for g, w in zip(got, want))')
    assert "asserts on 2 independent" in checks.several_items_problems(
        _q1(tmp_path, [A.tests("q7_tests", via_name, 3)]), "nb")[0]
    # the group ps1 Q2 had (2 points, "which drugs stay in bone"): a whole list compared at once
    whole_list = 'given = sorted(set(drug_classes))\nassert given == ["alendronate", "zoledronate"], "Q2"'
    assert "asserts on 2 independent" in checks.several_items_problems(
        _q1(tmp_path, [A.tests("q2_tests", whole_list, 2)]), "nb")[0]
    whole_dict = 'assert drug_classes == {"a": 1, "b": 2, "c": 3}'
    assert "asserts on 3 independent" in checks.several_items_problems(
        _q1(tmp_path, [A.tests("q1_t", whole_dict, 3)]), "nb")[0]
    pair = 'low, high = drug_classes["oncology"]\nassert (low, high) == (16, 148)\nassert low in [1, 2, 3]'
    assert checks.several_items_problems(_q1(tmp_path, [A.tests("q7_t", pair, 2)]), "nb") == []
    keyed_via_name = 'a = drug_classes["a"]\nb = a\nassert b == 1\nassert drug_classes["b"] == 2'
    assert "asserts on 2 independent" in checks.several_items_problems(
        _q1(tmp_path, [A.tests("q1_t", keyed_via_name, 2)]), "nb")[0]


def test_one_point_per_entry_and_one_entry_per_cell_pass(tmp_path: Path) -> None:
    # the same key split one drug per cell, one point each (what ps1 now holds)
    per_drug = [A.tests(f"q1_{d}", f'assert drug_classes[{d!r}] == "x", "Q1 {d}"', 1)
                for d in ("alendronate", "denosumab")]
    assert checks.several_items_problems(_q1(tmp_path, per_drug), "nb") == []
    # several points on ONE entry (its fields, or a function's cases) is one item, not a group
    one_entry = 'reg = drug_classes["osteoporosis"]\nassert drug_classes["osteoporosis"]["dose_mg"] == 5'
    assert checks.several_items_problems(_q1(tmp_path, [A.tests("q1_t", one_entry, 2)]), "nb") == []
    # a name the answer cells do not define (a local table) is not an answer entry
    local = 'want = {"a": 1, "b": 2}\nassert want["a"] == 1 and want["b"] == 2'
    assert checks.several_items_problems(_q1(tmp_path, [A.tests("q1_t", local, 2)]), "nb") == []


def test_committed_assignments_have_no_multi_point_groups() -> None:
    solutions = Path(__file__).resolve().parents[3] / "solutions"
    for aid in assignment_ids(solutions):
        assert checks.several_items_problems(read_cells(solutions / aid / f"{aid}.ipynb"), aid) == []
    ps1 = read_cells(solutions / "ps1_drugs_and_risk" / "ps1_drugs_and_risk.ipynb")
    q1 = [c for c in ps1 if c.kind == "test" and (c.grade_id or "").startswith("q1_")]
    assert len(q1) == 5 and all(c.points == 1 for c in q1)
    q7 = [c.grade_id for c in ps1 if c.kind == "test" and (c.grade_id or "").startswith("q7_")]
    assert q7 == ["q7_oncology", "q7_low_dose"]


def test_giveaway_ids_and_double_negatives(tmp_path: Path) -> None:
    assert checks.giveaway_problems("Patient 3 has exposed bone.", "x") == []
    assert "op-zoledronate-stage0" in checks.giveaway_problems("**Patient 2. `op-zoledronate-stage0`**", "x")[0]
    cells = _cells(tmp_path, [
        A.markdown("### Question 1"),
        A.answer("q1_c", 'c = None\n### BEGIN SOLUTION\n'
                         'c = {"no_radiotherapy_no_metastasis": False}\n### END SOLUTION'),
        A.tests("q1_tests", 'assert c["no_radiotherapy_no_metastasis"] is False', 1),
    ])
    assert len(checks.double_negative_problems(cells, "nb")) == 2
    assert not checks.DOUBLE_NEGATIVE.search("jaw_radiotherapy_or_metastasis")


def test_expected_values_may_not_come_from_the_kernel(tmp_path: Path) -> None:
    cells = _cells(tmp_path, [
        A.markdown("### Question 1"), A.answer("q1_v", "v = None\n### BEGIN SOLUTION\nv = 1\n### END SOLUTION"),
        A.tests("q1_tests", "from osteonecrosis.exercises import answer_of\nassert v == 1\n### BEGIN HIDDEN TESTS\n"
                "from osteonecrosis import knowledge\nassert v == knowledge.load('x')\n### END HIDDEN TESTS", 1),
    ])
    problems = checks.kernel_expectation_problems(cells, "nb")
    assert problems == ["nb: q1_tests imports osteonecrosis.knowledge: write the expected value as a literal at "
                        "build time"]


def _keyed(tmp_path: Path, knowledge: list | None, hidden: str = "assert v == 1") -> list:
    cells = [A.markdown("### Question 1"), A.answer("q1_v", "v = None\n### BEGIN SOLUTION\nv = 1\n### END SOLUTION"),
             A.tests("q1_tests", f"assert v, 'Q1'\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS", 1)]
    if knowledge is not None:
        cells[2].metadata["osteonecrosis"] = {"knowledge": knowledge}
    return _cells(tmp_path, cells)


def test_each_graded_cell_declares_the_knowledge_it_rests_on(tmp_path: Path, monkeypatch) -> None:
    from osteonecrosis import knowledge

    assert "does not declare the knowledge entries" in checks.knowledge_problems(_keyed(tmp_path, None), "nb")[0]
    assert checks.knowledge_problems(_keyed(tmp_path, []), "nb") == []
    assert checks.knowledge_problems(_keyed(tmp_path, ["drugs.yaml#zoledronate-op-yearly"]), "nb") == []
    wrong_file = checks.knowledge_problems(_keyed(tmp_path, ["risk.yaml#zoledronate-op-yearly"]), "nb")
    assert wrong_file == ["nb q1_tests: knowledge reference risk.yaml#zoledronate-op-yearly: no such entry in "
                          "risk.yaml"]
    assert "not 'file.yaml#entry-id'" in checks.knowledge_problems(_keyed(tmp_path, ["zoledronate"]), "nb")[0]
    real = knowledge.find

    def with_standing(entry_id: str, name: str | None = None) -> dict:
        entry = dict(real(entry_id, name))
        entry["standing"] = "superseded"
        return entry

    monkeypatch.setattr(knowledge, "find", with_standing)
    bad = checks.knowledge_problems(_keyed(tmp_path, ["drugs.yaml#zoledronate-op-yearly"]), "nb")
    assert bad == ["nb q1_tests is graded as fact on zoledronate-op-yearly: superseded: never an answer key "
                   "(grade the reasoning instead)"]


def test_a_literal_tied_to_a_knowledge_field_must_equal_it(tmp_path: Path) -> None:
    """A hidden test's expected value that rests on the knowledge base names the entry's field in the cell's
    metadata; when the entry changes (another engineer updates a figure), make check names the cell."""
    from osteonecrosis import knowledge

    high = knowledge.find("after-extraction-oncology", "risk")["high_percent"]
    ref = {"entry": "risk.yaml#after-extraction-oncology", "field": "high_percent", "times": 10}
    assert checks.knowledge_problems(_keyed(tmp_path, [ref], f"assert v == {high * 10!r}"), "nb") == []
    stale = checks.knowledge_problems(_keyed(tmp_path, [ref], f"assert v == {high * 10 + 1!r}"), "nb")
    assert len(stale) == 1 and "nb q1_tests: risk.yaml#after-extraction-oncology high_percent is" in stale[0]
    assert "update the expected value" in stale[0]
    missing = checks.knowledge_problems(_keyed(tmp_path, [{**ref, "field": "no_such"}]), "nb")
    assert missing == ["nb q1_tests: risk.yaml#after-extraction-oncology has no field 'no_such'"]


def test_the_real_superseded_and_contested_entries_are_refused(tmp_path: Path) -> None:
    from osteonecrosis import knowledge

    not_current = [(path.split(".")[0].split(":")[0], e["id"]) for path, e in knowledge.all_entries()
                   if e.get("standing", "current") != "current"]
    assert not_current, "the knowledge base marks no entry superseded or contested"
    refs = [f"{file}.yaml#{eid}" for file, eid in not_current[:2]]
    problems = checks.knowledge_problems(_keyed(tmp_path, refs), "nb")
    assert len(problems) >= 2 and all("never an answer key" in p for p in problems)


def test_the_solution_notebook_is_the_only_source() -> None:
    """No build script writes the assignments, and nothing in the repository runs or points to one."""
    root = Path(__file__).resolve().parents[3]
    assert not (root / "tools" / "assignments").exists()
    texts = [root / "Makefile", root / "README.md", *sorted((root / "docs").glob("*.md"))]
    for folder in ("tests", "benchmarks", "course"):
        texts += [p for p in (root / folder).rglob("*.py") if p.resolve() != Path(__file__).resolve()]
    old = "tools/" + "assignments"
    offenders = [str(p.relative_to(root)) for p in texts if old in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_totals_table_must_match_the_notebooks() -> None:
    table = ("| id | topic | autograded | written (by hand) | total |\n|---|---|---|---|---|\n"
             "| ps1_a | x | 19 | 6 | 25 |\n| ps2_b | y | 10 | 5 | 15 |\n\n"
             "In all: 29 autograded and 11 hand-graded points (40).")
    totals = {"ps1_a": (19.0, 6.0), "ps2_b": (10.0, 5.0)}
    assert checks.totals_table_problems(table, totals, "README.md") == []
    wrong = checks.totals_table_problems(table, {"ps1_a": (18.0, 7.0), "ps2_b": (10.0, 5.0)}, "README.md")
    assert any("ps1_a is listed as 19 + 6 = 25 points" in p for p in wrong)
    assert any("'In all' says 29 + 11 = 40" in p for p in wrong)
    assert any("no row for ps3_c" in p for p in checks.totals_table_problems(table, {**totals, "ps3_c": (1, 1)}, "x"))


def test_a_test_cell_may_not_read_values_a_setup_cell_computed(tmp_path: Path) -> None:
    cells = _cells(tmp_path, [
        A.readonly("setup", "from osteonecrosis import knowledge\nLIMIT = knowledge.load('staging')"),
        A.markdown("### Question 1"), A.answer("q1_v", "v = None\n### BEGIN SOLUTION\nv = 1\n### END SOLUTION"),
        A.tests("q1_tests", "assert v == LIMIT\nassert knowledge", 1),
        A.tests("q1_more_tests", "import math\nw = 2\nassert math.isclose(v * w, 2)", 1),
    ])
    problems = checks.kernel_expectation_problems(cells, "nb")
    assert any("q1_tests uses LIMIT from the kernel" in p for p in problems)
    assert any("q1_tests uses knowledge (osteonecrosis.knowledge) from the kernel" in p for p in problems)
    assert not any("q1_more_tests" in p for p in problems)


def test_each_autograded_question_says_what_is_checked_now_and_at_grading(tmp_path: Path) -> None:
    hidden = "assert v\n### BEGIN HIDDEN TESTS\nassert v == 1\n### END HIDDEN TESTS"
    silent = _cells(tmp_path, [
        A.markdown("### Question 1 · a"), A.answer("q1_v", "v = None\n### BEGIN SOLUTION\nv = 1\n### END SOLUTION"),
        A.tests("q1_tests", hidden, 1),
    ])
    problems = checks.checked_now_problems(silent, "nb")
    assert len(problems) == 2 and "Checked now" in problems[0] and "at grading" in problems[1]
    told = _cells(tmp_path, [
        A.markdown("### Question 1 · a\n\n*Checked now:* the form. *Checked at\ngrading:* the value."),
        A.answer("q1_v", "v = None\n### BEGIN SOLUTION\nv = 1\n### END SOLUTION"), A.tests("q1_tests", hidden, 1),
    ])
    assert checks.checked_now_problems(told, "nb") == []


def test_feedback_pointers_name_a_section_and_messages_name_their_question(tmp_path: Path) -> None:
    cells = _cells(tmp_path, [
        A.markdown("### Question 4"),
        A.answer("q4_f", "x = None\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
        A.tests("q4_tests", "\n".join([
            'assert x == 1, "Q4: read the stages (notebook 04)"',                      # no section
            'assert x > 0, "Q4: read it again (course notebook 1)"',                  # not even NN
            "assert x < 2, \"Q4: fine (notebook 04, 'AAOMS stages')\"",
            'assert x != 3, "The time criterion comes first."',                      # no question
            'assert x != 4, f"Q3 {x}: another question\'s number"',
            "assert x != 5",                                                          # no message
            "### BEGIN HIDDEN TESTS",
            'assert x != 6, "Hidden, and still no question"',
            "### END HIDDEN TESTS",
        ]), 2),
    ])
    bare = checks.bare_pointer_problems(cells, "nb")
    assert len(bare) == 2 and "notebook 04 without a section" in bare[0] and "notebook 1 without" in bare[1]
    prefix = checks.message_prefix_problems(cells, "nb")
    assert len(prefix) == 4, prefix
    assert any("without a message" in p for p in prefix)
    assert sum("does not start with 'Q4'" in p for p in prefix) == 3


def test_committed_feedback_names_question_and_section() -> None:
    solutions = Path(__file__).resolve().parents[3] / "solutions"
    for aid in assignment_ids(solutions):
        cells = read_cells(solutions / aid / f"{aid}.ipynb")
        assert checks.bare_pointer_problems(cells, aid) == []
        assert checks.message_prefix_problems(cells, aid) == []


def test_every_pointer_in_the_course_and_the_package_names_an_existing_heading() -> None:
    """The course notebooks, the package's messages (widgets, quizzes, helpers) and the knowledge files send
    students to "notebook NN, 'Heading'": make check verifies each of those headings exists."""
    assert checks.package_pointer_problems() == []
    # and the check can fail: a pointer to a heading that notebook 04 does not have
    assert checks.pointer_problems("see notebook 04, 'Not yet MRONJ'", "x")


def test_renaming_a_course_heading_names_each_pointer_to_update(tmp_path: Path, monkeypatch) -> None:
    """An instructor renames a heading of course notebook 04: make check lists every pointer to it (course
    notebook cell, package file, assignment cell), with the closest heading, instead of a failing unit test."""
    root = Path(__file__).resolve().parents[3]
    course = tmp_path / "course"
    course.mkdir()
    for nb in (root / "course").glob("[0-9][0-9]_*.ipynb"):
        (course / nb.name).write_bytes(nb.read_bytes())
    path = next(course.glob("04_*.ipynb"))
    nb = nbformat.read(str(path), as_version=4)
    old = "The case definition"
    renamed = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown" and re.search(rf"^#+ .*{old}", cell.source, re.MULTILINE):
            cell.source = cell.source.replace(old, "Defining MRONJ")
            renamed += 1
    assert renamed, f"notebook 04 has no heading {old!r}"
    nbformat.write(nb, str(path))
    monkeypatch.setattr(checks, "COURSE", course)
    checks.headings.cache_clear()
    try:
        problems = checks.package_pointer_problems()
        solution = read_cells(root / "solutions" / "ps5_capstone" / "ps5_capstone.ipynb")
        in_ps5 = [p for c in solution if c.kind == "test"
                  for p in checks.pointer_problems(c.source, f"ps5 {c.grade_id}", code=True)]
    finally:
        checks.headings.cache_clear()
    assert problems or in_ps5
    for p in problems + in_ps5:
        assert "which is not a heading there" in p and p.endswith("update this pointer"), p
    assert any(p.startswith("ps5 ps5_q1_short:") for p in in_ps5), in_ps5


def test_the_student_version_carries_no_knowledge_metadata() -> None:
    """The entries a key rests on name the answer ('not-mronj-short'): make release removes them."""
    root = Path(__file__).resolve().parents[3]
    for aid in assignment_ids(root / "solutions"):
        source = nbformat.read(str(root / "solutions" / aid / f"{aid}.ipynb"), as_version=4)
        assert any("osteonecrosis" in c.metadata for c in source.cells), aid
        release = nbformat.read(str(root / "assignments" / aid / f"{aid}.ipynb"), as_version=4)
        assert [c.id for c in release.cells if "osteonecrosis" in c.metadata] == [], aid
        assert "rests_on" not in release.metadata.get("osteonecrosis", {}), aid


def _given_away(tmp_path: Path, test_source: str, question: str = "### Question 1\n\nWrite a pair.") -> list[str]:
    cells = _cells(tmp_path, [
        A.markdown(question),
        A.answer("q1_v", "cases = None\n### BEGIN SOLUTION\ncases = (910, 820)\n### END SOLUTION"),
        A.tests("q1_tests", test_source, 1),
    ])
    return checks.giveaway_check_problems(cells, "nb")


def test_a_visible_check_may_not_hold_the_expected_value(tmp_path: Path) -> None:
    shown = _given_away(tmp_path, 'pair = cases\nassert pair == (910, 820), "Q1: read the table"')
    assert len(shown) == 1 and "a visible check holds the expected value (pair == (910, 820))" in shown[0]
    through_a_name = _given_away(tmp_path, 'ref = 179.9\nassert abs(cases[0] - ref) <= 1, "Q1: the table"')
    assert len(through_a_name) == 1 and "holds the expected value" in through_a_name[0]
    hidden = ('assert cases[0] >= cases[1], "Q1: without first"\n### BEGIN HIDDEN TESTS\n'
              'assert cases == (910, 820), "Q1: the table"\n### END HIDDEN TESTS')
    assert _given_away(tmp_path, hidden) == []
    # a value the question itself shows (a worked example, a stated rule) is not given away
    assert _given_away(tmp_path, 'assert cases[0] != 45, "Q1: counts"\nassert cases != (45, 41), "Q1: x"',
                       "### Question 1\n\nNot the 45 and 41 per 1000.") == []


def test_a_visible_message_or_table_may_not_give_the_answer(tmp_path: Path) -> None:
    told = _given_away(tmp_path, 'assert cases, "Q1: it is 910 without the bundle"\n### BEGIN HIDDEN TESTS\n'
                                 'assert cases == (910, 820), "Q1"\n### END HIDDEN TESTS')
    assert told == ["nb q1_tests: a visible message gives the expected value 910: 'Q1: it is 910 without the "
                    "bundle'"]
    table = ("story = {('a',): 'in_line', ('b',): 'not_advised', ('a', 'b'): 'in_line', ('b', 'a'): 'x'}\n"
             'assert cases, "Q1"')
    assert "a visible table of 4 entries" in _given_away(tmp_path, table)[0]


def test_no_assignment_gives_an_answer_away_and_all_say_passed_alike() -> None:
    """Over all five assignments: no visible check or message holds an expected value, no visible table of
    verdicts; every test cell's visible checks end with the same passing line."""
    root = Path(__file__).resolve().parents[3]
    ids = assignment_ids(root / "solutions")
    assert len(ids) >= 5
    for aid in ids:
        cells = read_cells(root / "solutions" / aid / f"{aid}.ipynb")
        assert checks.giveaway_check_problems(cells, aid) == []
        assert checks.passing_line_problems(cells, aid) == []


def test_visible_checks_end_with_the_passing_line(tmp_path: Path) -> None:
    cells = _cells(tmp_path, [
        A.markdown("### Question 1"), A.answer("q1_v", "v = None\n### BEGIN SOLUTION\nv = 1\n### END SOLUTION"),
        A.tests("q1_a", 'assert v, "Q1"\nvisible_checks_passed("Q1")\n### BEGIN HIDDEN TESTS\nassert v == 1, "Q1"'
                        "\n### END HIDDEN TESTS", 1),
        A.tests("q1_b", 'assert v, "Q1"', 1),
    ])
    assert checks.passing_line_problems(cells, "nb") == [
        'nb q1_b: the visible checks do not end with visible_checks_passed("Q...")']


def test_answer_form_must_be_said_in_the_question(tmp_path: Path) -> None:
    def one(question: str, solution: str) -> list[str]:
        cells = _cells(tmp_path, [A.markdown(f"### Question 1 · a\n\n{question}"),
                                  A.answer("q1_a", f"x = None\n### BEGIN SOLUTION\n{solution}\n### END SOLUTION")])
        return checks.answer_form_problems(cells, "nb")

    assert one("Write `x`, a list of ids.", 'x = ["a", "b"]') == []
    assert "is a list" in one("Write `x`: the ids.", 'x = ["a", "b"]')[0]
    both = 'x = {"dose_mg": 5, "every_days": 365}'
    assert one("A dictionary `x` with keys `'dose_mg'` and `'every_days'`.", both) == []
    problems = one("A dictionary `x` with the key `'dose_mg'`.", 'x = {"dose_mg": 5, "every_days": 365}')
    assert len(problems) == 1 and "every_days" in problems[0]
    labels = 'x = {"Patient 1": "0", "Patient 2": "1"}'
    assert one('A dictionary from the label (`"Patient 1"` ...) to the stage.', labels) == []
    assert "is a pair" in one("Write `x`.", "x = (date(2026, 1, 1), date(2026, 2, 1))")[0]
    assert one("Write `x`, a pair of dates.", "x = (date(2026, 1, 1), date(2026, 2, 1))") == []
    assert "is a true/false" in one("Does it apply? Write `x`.", "x = True")[0]
    assert one("Write `x`: a number, unrounded.", "x = 4 * 1.07") == []


def test_every_answer_form_is_said_in_the_shipped_assignments() -> None:
    from classroom.authoring.assignment_model import notebooks

    problems = [p for a in assignment_ids() for p in checks.answer_form_problems(read_cells(notebooks(a)[0]), a)]
    assert not problems, "\n".join(problems)


def test_a_visible_check_may_not_hold_the_model_answer_even_when_the_question_lists_it(tmp_path: Path) -> None:
    question = A.markdown("### Question 1 · a\n\nWrite `stage` as text: one of `'0'`, `'1'`, `'2'`, `'3'`.")
    answer = A.answer("q1_a", "stage = None\n### BEGIN SOLUTION\nstage = '2'\n### END SOLUTION")

    def problems(visible: str) -> list[str]:
        test = A.tests("q1_tests", f"{visible}\n### BEGIN HIDDEN TESTS\nassert stage == '2'\n### END HIDDEN TESTS", 1)
        return checks.giveaway_check_problems(_cells(tmp_path, [question, answer, test]), "nb")

    assert "holds the model answer" in problems("assert stage == '2', 'Q1: reconsider'")[0]
    assert problems("assert stage != '0', 'Q1: there is exposed bone'") == []
    assert problems("assert stage in ('0', '1', '2', '3'), 'Q1: a stage code'") == []
