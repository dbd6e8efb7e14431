"""One CLI of verbs (classroom.cli) and the course root it passes in (classroom.course_root)."""

from pathlib import Path

import pytest
from classroom import cli, course_root

from tests.conftest import ROOT


def test_every_verb_names_a_module_with_main() -> None:
    import ast
    import importlib.util

    for verb, (module, what) in cli.VERBS.items():  # read, not imported (some modules start services on import)
        tree = ast.parse(Path(importlib.util.find_spec(module).origin).read_text())
        assert any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body), verb
        assert what and verb in cli.usage()


def test_makefile_calls_the_verbs() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for verb in ("check", "probe", "release", "site", "student-release", "validate-text"):
        assert f"-m classroom {verb}" in makefile, verb


def test_unknown_verb_is_one_line_and_status_2(capsys) -> None:
    assert cli.main(["nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unknown verb 'nope'" in err


def test_no_verb_prints_usage_and_fails(capsys) -> None:
    assert cli.main([]) == 2
    assert "usage: classroom" in capsys.readouterr().err


def test_bad_course_root_is_one_line(tmp_path, capsys) -> None:
    assert cli.main(["--course-root", str(tmp_path), "check"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "is not a course root" in err


def test_course_root_passed_in_wins(tmp_path, monkeypatch) -> None:
    course = tmp_path / "copy"
    (course / "solutions").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("")
    monkeypatch.setenv(course_root.ENV, str(course))
    assert course_root.course_root() == course.resolve()
    monkeypatch.setenv(course_root.ENV, str(tmp_path))
    with pytest.raises(course_root.CourseRootError, match="is not a course root"):
        course_root.course_root()


def test_course_root_found_from_a_subfolder(monkeypatch) -> None:
    monkeypatch.delenv(course_root.ENV, raising=False)
    assert course_root.course_root(ROOT / "course" / "osteonecrosis") == ROOT
    assert course_root.is_course_root(Path(ROOT))


def test_no_module_guesses_the_root_from_its_own_depth() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "course" / "classroom").rglob("*.py")
                 if "parents[" in p.read_text()]
    assert not offenders, f"pass the course root in (classroom.course_root), not parents[N]: {offenders}"
