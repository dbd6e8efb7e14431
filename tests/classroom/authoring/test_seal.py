"""The release step that writes seals: where SEAL stands, what make check refuses, and the model answers' run."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from classroom.authoring import cells as A
from classroom.authoring import seal, seal_agreement
from osteonecrosis import sealed


def test_placeholders_are_the_name_outside_imports_strings_and_comments() -> None:
    source = ("from osteonecrosis.exercises import SEAL, sealed_check\n"
              "import SEAL\n"
              "x = 'SEAL'  # SEAL in a comment\n"
              "sealed_check(x, SEAL, 'Q1: x')\n"
              "if x:\n    sealed_check(x,\n                 SEAL, 'Q1: y')\n")
    assert seal.placeholders(source) == [(3, 16), (6, 17)]
    out = seal.substitute(source, ["s1:a:b", "s1:c:d"])
    assert "sealed_check(x, 's1:a:b', 'Q1: x')" in out and "'s1:c:d', 'Q1: y'" in out
    assert out.startswith("from osteonecrosis.exercises import SEAL, sealed_check\nimport SEAL\n")
    with pytest.raises(seal.SealError):
        seal.substitute(source, ["one"])
    assert seal.placeholders("def broken(:\n SEAL") == []
    kept = seal.placeholders(source)
    kept.append((9, 9))  # a caller's list is its own: the kept answer is unchanged
    assert seal.placeholders(source) == [(3, 16), (6, 17)]


def _nb(test_source: str, answer: str = 'stage = None\n### BEGIN SOLUTION\nstage = "2"\n### END SOLUTION') -> (
        nbformat.NotebookNode):
    return A.notebook([
        A.markdown("### Question 1\nGive the stage as text, e.g. `\"1\"`."),
        A.answer("q1_answer", answer),
        A.tests("q1_tests", test_source, 1),
    ])


SEALED = ("from osteonecrosis.exercises import answer_of, as_stage, SEAL, sealed_check\n"
          "given = as_stage(answer_of('stage'), 'Q1')\n"
          "sealed_check(given, SEAL, 'Q1: reconsider the stage (notebook 04, \\'AAOMS stages\\')')\n"
          "### BEGIN HIDDEN TESTS\nassert given == '2', 'Q1: stage'\n### END HIDDEN TESTS")
UNSEALED = ("from osteonecrosis.exercises import answer_of, as_stage\n"
            "given = as_stage(answer_of('stage'), 'Q1')\n"
            "### BEGIN HIDDEN TESTS\nassert given == '2', 'Q1: stage'\n### END HIDDEN TESTS")


def test_make_check_names_a_cell_whose_hidden_tests_have_no_seal() -> None:
    assert seal.unsealed_problems(_nb(SEALED)) == []
    found = seal.unsealed_problems(_nb(UNSEALED))
    assert len(found) == 1 and found[0].startswith("q1_tests: hidden tests but no sealed_check")
    no_placeholder = SEALED.replace("given, SEAL,", "given, None,")
    assert any("SEAL placeholder" in p for p in seal.unsealed_problems(_nb(no_placeholder)))


def test_the_seal_step_runs_right_after_the_variant() -> None:
    class ApplyVariant:
        pass

    class ClearSolutions:
        pass

    assert seal.after_variant([ApplyVariant, ClearSolutions]) == [ApplyVariant, seal.SealChecks, ClearSolutions]
    assert seal.after_variant([ClearSolutions, seal.SealChecks])[0] is seal.SealChecks


def test_sealing_runs_the_model_answer_once_then_reads_the_cache(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(seal.CACHE_ENV, str(tmp_path / "cache"))
    nb = _nb(SEALED)
    assert seal.seal_notebook(nb, tmp_path, "ps9") == 1
    text = nb.cells[2].source
    assert "SEAL," not in text.split("\n", 1)[1] and "'s1:" in text
    value = text.split("sealed_check(given, ")[1].split(",")[0].strip("'")
    assert sealed.matches("2", value) and not sealed.matches("3", value)
    monkeypatch.setattr(seal, "_execute", lambda *a, **k: pytest.fail("executed again"))
    again = _nb(SEALED)
    seal.seal_notebook(again, tmp_path, "ps9")
    assert again.cells[2].source == text


def test_a_model_answer_that_never_reaches_its_seal_stops_the_release_in_one_line(tmp_path: Path,
                                                                                   monkeypatch) -> None:
    monkeypatch.setenv(seal.CACHE_ENV, "off")
    broken = _nb(SEALED, answer='stage = None\n### BEGIN SOLUTION\nstage = "two"\n### END SOLUTION')
    with pytest.raises(seal.SealError, match=r"^ps9: q1_tests: the model answer never reached sealed check 1 "
                                             r"\(AssertionError: Q1"):
        seal.seal_notebook(broken, tmp_path, "ps9")
    loop = SEALED.replace("sealed_check(given,", "for _v in (given, given + 'x'):\n    sealed_check(_v,")
    with pytest.raises(seal.SealError, match="2 different values"):
        seal.seal_notebook(_nb(loop), tmp_path, "ps9")


def test_the_agreement_probe_finds_both_kinds_of_disagreement(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(seal.CACHE_ENV, "off")
    path = tmp_path / "ps9_probe.ipynb"
    for source, losing, refused in (
        (UNSEALED, True, False),  # a wrong stage passes Validate and loses the point
        (SEALED, False, False),
        # the hidden test also accepts '3' but the seal does not know it: a right answer refused
        (SEALED.replace("assert given == '2'", "assert given in ('2', '3')"), True, True),
        (SEALED.replace("assert given == '2', 'Q1: stage'",
                        "also_accept(SEAL, '3')\nassert given in ('2', '3'), 'Q1: stage'")
         .replace("SEAL, sealed_check", "SEAL, also_accept, sealed_check"), False, False),
    ):
        nbformat.write(_nb(source), str(path))
        report = seal_agreement.check_notebook(path)
        assert report.values >= 6
        assert (report.passing_but_losing > 0) == (losing and source is UNSEALED), (source, report.line())
        assert (report.right_but_refused > 0) == refused, (source, report.line())
