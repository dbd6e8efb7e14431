"""The answer-shape helpers of the assignment tests: strict, short messages that say what and where."""

from __future__ import annotations

import pytest
from osteonecrosis import exercises, vocabulary


@pytest.mark.parametrize("value, fix", [(2, "write '2' in quotes, not 2"),
                                        ("not MRONJ", "write 'not_mronj', not 'not MRONJ'"),
                                        ("Stage 2", "write '2', not 'Stage 2'")])
def test_as_stage_refuses_near_misses_with_a_short_message(value, fix) -> None:
    with pytest.raises(AssertionError) as err:
        exercises.as_stage(value, "Q2 Patient 3")
    message = str(err.value)
    assert fix in message and "notebook 04" in message[:80]


def test_as_stage_accepts_exact_codes_only() -> None:
    assert [exercises.as_stage(s) for s in vocabulary.STAGE_NAMES] == list(vocabulary.STAGE_NAMES)
    for bad in (True, None, "stage two", 2.5):
        with pytest.raises(AssertionError):
            exercises.as_stage(bad)


def test_as_number_names_decimal_commas_and_units() -> None:
    """A comma for the decimal point (French, Spanish) and a number with its unit each get their own fix."""
    with pytest.raises(AssertionError, match=r"write 5\.5 \(a decimal point, no quotes\), not '5,5'"):
        exercises.as_number("5,5", "Q3 dose_mg")
    with pytest.raises(AssertionError, match=r"write 4 without quotes or unit, not '4 mg'"):
        exercises.as_number("4 mg", "Q3 dose_mg")
    with pytest.raises(AssertionError, match=r"write 14\.8 without quotes or unit, not '14\.8%'"):
        exercises.as_number("14.8%", "Q7")


def test_as_number_names_text_in_quotes() -> None:
    with pytest.raises(AssertionError, match="'5' is text, not a number"):
        exercises.as_number("5", "Q3 dose_mg")
    assert exercises.as_number(5) == 5.0


def test_answer_of_missing_none_and_present() -> None:
    namespace = {"answer_of": exercises.answer_of}
    with pytest.raises(NameError, match="run its answer cell and fix the FIRST error"):
        exec("answer_of('mg_per_year')", namespace)
    namespace["stages"] = None
    with pytest.raises(NotImplementedError, match="stages: no answer yet"):
        exec("answer_of('stages')", namespace)
    namespace["stages"] = {"Patient 1": "1"}
    exec("got = answer_of('stages')", namespace)
    assert namespace["got"] == {"Patient 1": "1"}


def test_the_passing_line_says_grading_runs_the_checks_again(capsys) -> None:
    exercises.visible_checks_passed("Q1 (1 of 3)")
    out = capsys.readouterr().out
    assert "all checks passed" in out and "hidden tests" in out and len(out.strip()) <= 80


def test_staging_arguments_follow_aaoms_2022_criterion_1() -> None:
    from osteonecrosis import library_case

    assert exercises.staging_arguments(library_case("onc-bevacizumab-stage1"))["drug_exposure"] is False
    assert exercises.staging_arguments(library_case("op-stopped-bp-stage2"))["drug_exposure"] is True


def test_vocabulary_is_one_source() -> None:
    assert vocabulary.DAYS_PER_YEAR == 365
    assert vocabulary.percent_to_per(1) == 10 and vocabulary.percent_to_per(0.01, vocabulary.PER_10000) == 1
    assert vocabulary.display_name("zoledronate") == "Zoledronic acid"
    assert vocabulary.display_name("rank_ligand_antibody") == "RANKL antibody"
    assert "`'zoledronate'` | Zoledronic acid" in vocabulary.id_table("drugs")
    with pytest.raises(KeyError):
        vocabulary.display_name("Zoledronic acid")
    from osteonecrosis import risk

    assert set(vocabulary.RISK_GROUPS) == set(risk.extraction_effect()["absolute_after_extraction"])


def test_a_leftover_raise_in_the_answer_cell_never_shows_as_passed() -> None:
    """The student wrote the answer above the release's `raise NotImplementedError(...)` line: the answer cell
    shows a red error, so the test cell must not say its checks passed (IPython's `In` is the cell history)."""
    import pytest
    from osteonecrosis.exercises import answer_of

    stub = 'x = None\nx = 3\n# YOUR CODE HERE\nraise NotImplementedError("Delete this line")'
    namespace = {"answer_of": answer_of, "x": 3, "In": ["", stub, "answer_of('x')"]}
    with pytest.raises(NotImplementedError, match="x: its answer cell still has the line 'raise Not"):
        exec("answer_of('x')", namespace)  # noqa: S102 - the test's own source
    namespace["In"] = ["", stub, "x = None\nx = 3\n", "answer_of('x')"]  # the line deleted, the cell run again
    exec("answer_of('x')", namespace)  # noqa: S102
    function = "def f(a):\n    return a\n    raise NotImplementedError()"  # dead code in a function: no error shown
    namespace.update({"f": lambda a: a, "In": ["", function]})
    exec("answer_of('f')", namespace)  # noqa: S102
