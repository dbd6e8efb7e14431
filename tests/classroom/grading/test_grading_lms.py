"""Unpacking an LMS zip into submitted/, with zips laid out exactly as Canvas and Moodle export them.

Canvas "Download Submissions": flat ``<login>_<user id>_<submission id>_<file>``, ``late`` after the login,
``-N`` before the extension for resubmissions. Moodle "Download all submissions" (in folders):
``<Full Name>_<participant id>_assignsubmission_file_/<file>``. Students come from the roster, never invented.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
import zipfile
from pathlib import Path

import pytest
from classroom.grading import lms
from classroom.grading.lms import LmsError, collect_zip, read_roster

from tests.adversarial.corpus_intake import GRADE_IDS, ROSTER, ZIP_CASES

PS3 = "ps3_management.ipynb"
KNOWN = [PS3]


def _zip(path: Path, members: list[tuple[str, str, tuple[int, ...]]]) -> Path:
    """members: (name, text, zip date_time)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, when in members:
            info = zipfile.ZipInfo(name, date_time=when)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            zf.writestr(info, data)
    return path


def _roster(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "roster.csv"
    path.write_text(text)
    return read_roster(path)


def _sub(root: Path, student: str, assignment: str = "ps3") -> Path:
    return root / "submitted" / student / assignment


def test_canvas_export_resubmissions_late_marker_and_unmatched(tmp_path):
    roster = _roster(tmp_path, "student_id,lms_user_id,login\ns001,12345,diazana\ns002,23456,lopezben\n")
    archive = _zip(tmp_path / "submissions.zip", [
        ("diazana_12345_67890_ps3_management.ipynb", "{first}", (2026, 3, 1, 9, 0, 0)),
        ("diazana_12345_67891_ps3_management-1.ipynb", "{second}", (2026, 3, 2, 10, 0, 0)),
        ("diazana_12345_67892_ps3_management-2.ipynb", "{third}", (2026, 3, 3, 11, 30, 4)),
        ("lopezben_late_23456_67893_ps3_management.ipynb", "{ben}", (2026, 3, 9, 8, 0, 0)),
        ("kimjoe_34567_67894_ps3_management.ipynb", "{kim}", (2026, 3, 1, 9, 0, 0)),
    ])
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, roster=roster)
    assert got.students == {"s001", "s002"} and got.files == 2
    assert (_sub(tmp_path, "s001") / PS3).read_text() == "{third}"          # the latest resubmission wins
    assert (_sub(tmp_path, "s002") / PS3).read_text() == "{ben}"
    assert got.late == {"s002"}
    # the submission time comes from the LMS's zip, not from anything the student wrote
    assert (_sub(tmp_path, "s001") / "timestamp.txt").read_text() == "2026-03-03 11:30:04.000000"
    assert sorted(p.name for p in (tmp_path / "submitted").iterdir()) == ["s001", "s002"]  # no 'diazana', 'kimjoe'
    unmatched = [s for s in got.skipped if s.startswith("kimjoe_")]
    assert len(unmatched) == 1 and "not in the roster" in unmatched[0]
    assert sum("older version" in s or "replaced by the later" in s for s in got.skipped) == 2


def test_canvas_login_alone_matches_when_it_is_the_student_id(tmp_path):
    archive = _zip(tmp_path / "s.zip", [("diazana_12345_67890_ps3_management.ipynb", "{ana}", (2026, 3, 1, 9, 0, 0))])
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, roster={"diazana": "diazana"})
    assert got.students == {"diazana"}


def test_moodle_export_in_folders(tmp_path):
    roster = _roster(tmp_path, "id,lms_user_id\ns001,1234\ns002,1250\n")
    archive = _zip(tmp_path / "moodle.zip", [
        ("Ana Diaz_1234_assignsubmission_file_/ps3_management.ipynb", "{ana}", (2026, 3, 1, 9, 0, 0)),
        ("Ben López_1250_assignsubmission_file_/ps3_management.ipynb", "{ben}", (2026, 3, 1, 10, 0, 0)),
        ("Ben López_1250_assignsubmission_file_/notes.txt", "extra", (2026, 3, 1, 10, 0, 0)),
        ("Cleo Ruiz_1301_assignsubmission_file_/ps3_management.ipynb", "{cleo}", (2026, 3, 1, 10, 0, 0)),
    ])
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, roster=roster)
    assert got.students == {"s001", "s002"}
    assert (_sub(tmp_path, "s001") / PS3).read_text() == "{ana}"
    assert (_sub(tmp_path, "s002") / PS3).read_text() == "{ben}"
    assert not (_sub(tmp_path, "s002") / "notes.txt").exists()
    assert any("notes.txt" in s and "not a file of ps3" in s for s in got.skipped)
    assert any(s.startswith("Cleo Ruiz_1301") and "participant 1301 is not in the roster" in s for s in got.skipped)


def test_moodle_flat_export(tmp_path):
    archive = _zip(tmp_path / "moodle.zip", [
        ("Ana Diaz_1234_assignsubmission_file_ps3_management.ipynb", "{ana}", (2026, 3, 1, 9, 0, 0))])
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, roster={"1234": "s001"})
    assert got.students == {"s001"}


def test_a_student_cannot_touch_another_students_submission(tmp_path):
    """Issue 12: zed's upload names other students; the folder decides, and zed's own timestamp is ignored."""
    known = ["ps1.ipynb"]
    alice_old = _sub(tmp_path, "alice", "ps1")
    alice_old.mkdir(parents=True)
    (alice_old / "ps1.ipynb").write_text("{alice's own}")
    roster = {"alice": "alice", "zed": "zed", "dave": "dave", "111": "zed"}
    archive = _zip(tmp_path / "lms.zip", [
        ("zed/alice_resubmission_ps1.ipynb", "{blank}", (2026, 3, 1, 9, 0, 0)),
        ("zed/dave_forgot_ps1.ipynb", "{blank}", (2026, 3, 1, 9, 0, 0)),
        ("zed/alice/ps1.ipynb", "{zed's, in a folder he called alice}", (2026, 3, 1, 9, 0, 0)),
        ("zed/timestamp.txt", "2001-01-01 00:00:00", (2026, 3, 1, 9, 0, 0)),
        ("zed/helper.py", "import os", (2026, 3, 1, 9, 0, 0)),
        ("zed_111_222_alice_333_444_ps1.ipynb", "{blank}", (2026, 3, 1, 9, 0, 0)),
    ])
    got = collect_zip(archive, tmp_path / "submitted", "ps1", known, roster=roster)
    assert got.students == {"zed"} and got.files == 1  # only zed's own upload, in zed's own folder
    assert (_sub(tmp_path, "zed", "ps1") / "ps1.ipynb").read_text() == "{zed's, in a folder he called alice}"
    assert (_sub(tmp_path, "zed", "ps1") / "timestamp.txt").read_text() == "2026-03-01 09:00:00.000000"
    assert (alice_old / "ps1.ipynb").read_text() == "{alice's own}"
    assert not (tmp_path / "submitted" / "dave").exists()
    assert len(got.skipped) == 6, got.skipped  # 5 left out + the imitating Canvas name flagged as zed's problem
    assert any("imitates another LMS entry" in p for p in got.problems["zed"])


def test_a_student_over_the_size_budget_is_skipped_alone_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(lms, "MAX_STUDENT_BYTES", 1000)
    big = "x" * 600
    archive = _zip(tmp_path / "lms.zip", [
        ("hog/ps3_management.ipynb", big, (2026, 3, 1, 9, 0, 0)),
        ("hog/ps3_management-1.ipynb", big, (2026, 3, 1, 9, 0, 0)),
        ("ana/ps3_management.ipynb", "{ana}", (2026, 3, 1, 9, 0, 0)),
    ])
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, roster={"hog": "hog", "ana": "ana"})
    assert got.students == {"ana"}
    assert not (tmp_path / "submitted" / "hog").exists()
    assert any(s.startswith("hog:") and "budget" in s for s in got.skipped)


def test_a_new_download_replaces_the_whole_submission(tmp_path):
    known = [PS3, "data.csv"]
    first = _zip(tmp_path / "a.zip", [("ana/ps3_management.ipynb", "{v1}", (2026, 3, 1, 9, 0, 0)),
                                      ("ana/data.csv", "1,2", (2026, 3, 1, 9, 0, 0))])
    collect_zip(first, tmp_path / "submitted", "ps3", known, roster={"ana": "ana"})
    second = _zip(tmp_path / "b.zip", [("ana/ps3_management.ipynb", "{v2}", (2026, 3, 2, 9, 0, 0))])
    collect_zip(second, tmp_path / "submitted", "ps3", known, roster={"ana": "ana"})
    assert sorted(p.name for p in _sub(tmp_path, "ana").iterdir()) == [PS3, "submission_secret.txt", "timestamp.txt"]
    assert (_sub(tmp_path, "ana") / PS3).read_text() == "{v2}"
    assert not [p for p in (tmp_path / "submitted" / "ana").iterdir() if p.name.startswith(".")]


def test_a_zip_of_one_folder_is_read_as_its_contents(tmp_path):
    archive = _zip(tmp_path / "lms.zip", [
        ("export/Ana Diaz_1234_assignsubmission_file_/ps3_management.ipynb", "{ana}", (2026, 3, 1, 9, 0, 0)),
        ("export/Ben Ruiz_1250_assignsubmission_file_/ps3_management.ipynb", "{ben}", (2026, 3, 1, 9, 0, 0)),
    ])
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, roster={"1234": "s001", "1250": "s002"})
    assert got.students == {"s001", "s002"}


def test_a_custom_pattern_goes_through_the_roster(tmp_path):
    archive = _zip(tmp_path / "lms.zip", [("ps3 - Dana Smith (ds42) - ps3_management.ipynb", "{dana}",
                                           (2026, 3, 1, 9, 0, 0)),
                                          ("ps3 - Eve Stone (es07) - ps3_management.ipynb", "{eve}",
                                           (2026, 3, 1, 9, 0, 0))])
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN,
                      pattern=r"\((?P<student_id>[a-z0-9]+)\) - (?P<file_id>.+)$", roster={"ds42": "s042"})
    assert got.students == {"s042"}
    assert (_sub(tmp_path, "s042") / PS3).read_text() == "{dana}"
    assert any("'es07' is not in the roster" in s for s in got.skipped)


def _notebook(*grade_ids: str, text: str = "") -> str:
    """A notebook whose cells carry nbgrader grade ids (what a real student's renamed upload still has)."""
    cells = [{"cell_type": "code", "id": f"c{n}", "metadata": {"nbgrader": {"grade_id": g, "solution": True}},
              "source": text, "outputs": [], "execution_count": None} for n, g in enumerate(grade_ids)]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


IDS = {PS3: {"answer_q1", "test_q1"}}
MOODLE_ROSTER = ("student_id,first_name,last_name,lms_user_id\ns001,Ana,Diaz,1234\ns002,Ben,López,1250\n"
                 "s003,Cleo,Ruiz,1301\ns009,Zed,Evil,999\n")


def test_moodle_flat_names_typed_inside_an_upload_cannot_replace_give_or_push_over_budget(tmp_path, monkeypatch):
    """Issue 18: the owner is the LMS's FIRST `<Full Name>_<id>_assignsubmission_file_`; an upload named
    `..._<id>_assignsubmission_file_...` by the student stays the uploader's and is flagged."""
    monkeypatch.setattr(lms, "MAX_STUDENT_BYTES", 1000)
    roster = _roster(tmp_path, MOODLE_ROSTER)
    z = "Zed Evil_999_assignsubmission_file_"
    archive = _zip(tmp_path / "moodle.zip", [
        ("Ana Diaz_1234_assignsubmission_file_ps3_management.ipynb", "{ana}", (2026, 3, 1, 9, 0, 0)),
        ("Cleo Ruiz_1301_assignsubmission_file_ps3_management.ipynb", "{cleo}", (2026, 3, 1, 9, 0, 0)),
        (f"{z}x_1234_assignsubmission_file_ps3_management.ipynb", "{blank over ana}", (2026, 3, 5, 9, 0, 0)),
        (f"{z}y_1250_assignsubmission_file_ps3_management.ipynb", _notebook("answer_q1", text="full marks"),
         (2026, 3, 1, 9, 0, 0)),
        (f"{z}z_1301_assignsubmission_file_ps3_management-1.ipynb", "x" * 600, (2026, 3, 1, 9, 0, 0)),
        (f"{z}w_1301_assignsubmission_file_ps3_management-2.ipynb", "x" * 600, (2026, 3, 1, 9, 0, 0)),
    ])
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, roster=roster, grade_ids=IDS)
    assert (_sub(tmp_path, "s001") / PS3).read_text() == "{ana}"           # not replaced
    assert not (tmp_path / "submitted" / "s002").exists()                  # the non-submitter gets nothing
    assert (_sub(tmp_path, "s003") / PS3).read_text() == "{cleo}"          # not pushed over the budget
    assert got.students == {"s001", "s003"}
    zed = got.problems["s009"]
    assert sum("imitates another LMS entry" in p for p in zed) == 4
    assert any("budget" in p for p in zed)                                 # the big files are zed's own
    assert got.problem_count >= 5 and set(got.problems) == {"s009"}


def test_a_moodle_name_that_is_another_students_is_refused(tmp_path):
    roster = _roster(tmp_path, MOODLE_ROSTER)
    archive = _zip(tmp_path / "moodle.zip", [
        ("Ben López_1234_assignsubmission_file_/ps3_management.ipynb", "{?}", (2026, 3, 1, 9, 0, 0)),
        ("Ana M. Diaz_1234_assignsubmission_file_/ps3_management.ipynb", "{ana}", (2026, 3, 1, 8, 0, 0)),
    ])
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, roster=roster)
    assert (_sub(tmp_path, "s001") / PS3).read_text() == "{ana}"  # a middle initial still fits Ana's name
    assert any("ambiguous, refused" in p and "s002" in p for p in got.problems[""])


def test_a_canvas_name_alone_cannot_claim_a_student_whose_canvas_id_is_known(tmp_path):
    roster = _roster(tmp_path, "student_id,lms_user_id,login\ns001,12345,diazana\n")
    archive = _zip(tmp_path / "s.zip", [("diazana_99999_1_ps3_management.ipynb", "{impostor}", (2026, 3, 1, 9, 0, 0))])
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, roster=roster)
    assert got.students == set() and not (tmp_path / "submitted").exists()
    assert any("ambiguous, refused" in p for p in got.problems[""])


def test_renamed_canvas_upload_and_moodle_subfolder_are_taken_by_their_grade_ids(tmp_path):
    """Issue 18: real students' uploads under another name or in a subfolder were listed and scored 0."""
    roster = _roster(tmp_path, "student_id,lms_user_id\ns001,12345\ns002,1250\ns003,777\n")
    archive = _zip(tmp_path / "lms.zip", [
        ("diazana_12345_67890_ps3_management_final.ipynb", _notebook("answer_q1", text="ana"),
         (2026, 3, 1, 9, 0, 0)),
        ("Ben Ruiz_1250_assignsubmission_file_/ps3/ps3_management.ipynb", "{ben}", (2026, 3, 1, 9, 0, 0)),
        ("Ben Ruiz_1250_assignsubmission_file_/ps3/notes.txt", "notes", (2026, 3, 1, 9, 0, 0)),
        ("kim_777_1_my notebook.ipynb", _notebook("test_q1", text="kim"), (2026, 3, 1, 9, 0, 0)),
        ("kim_777_2_scratch.ipynb", _notebook(text="nothing graded"), (2026, 3, 1, 9, 0, 0)),
    ])
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, roster=roster, grade_ids=IDS)
    assert got.students == {"s001", "s002", "s003"}
    assert "ana" in (_sub(tmp_path, "s001") / PS3).read_text()
    assert (_sub(tmp_path, "s002") / PS3).read_text() == "{ben}"
    assert "kim" in (_sub(tmp_path, "s003") / PS3).read_text()
    assert len(got.renamed) == 2 and not got.problems


def test_two_candidate_notebooks_are_flagged_and_neither_is_taken(tmp_path):
    archive = _zip(tmp_path / "lms.zip", [
        ("ana/draft.ipynb", _notebook("answer_q1", text="draft"), (2026, 3, 1, 9, 0, 0)),
        ("ana/final.ipynb", _notebook("answer_q1", text="final"), (2026, 3, 1, 9, 0, 0)),
    ])
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, roster={"ana": "ana"}, grade_ids=IDS)
    assert got.students == set() and not (tmp_path / "submitted").exists()
    assert any("2 notebooks carry the grade ids" in p for p in got.problems["ana"])


def test_a_zip_of_one_moodle_submission_keeps_its_folder(tmp_path):
    archive = _zip(tmp_path / "one.zip", [
        ("Ana Diaz_1234_assignsubmission_file_/ps3/ps3_management.ipynb", "{ana}", (2026, 3, 1, 9, 0, 0))])
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, roster={"1234": "s001"})
    assert got.students == {"s001"} and got.received == {"s001": dt.datetime(2026, 3, 1, 9, 0, 0)}


@pytest.mark.parametrize(("pattern", "words"), [
    (r"(?P<student_id>[a-z", "is not a regular expression"),
    (r"(?P<who>\w+)_(?P<file_id>.+)", "needs the named groups"),
])
def test_a_bad_zip_pattern_is_one_clear_error(tmp_path, pattern, words):
    archive = _zip(tmp_path / "s.zip", [("ana_ps3_management.ipynb", "{a}", (2026, 3, 1, 9, 0, 0))])
    with pytest.raises(LmsError, match=words):
        collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, pattern=pattern, roster={"ana": "ana"})


def test_without_a_roster_nobody_is_invented(tmp_path):
    archive = _zip(tmp_path / "lms.zip", [("diazana_12345_67890_ps3_management.ipynb", "{a}", (2026, 3, 1, 9, 0, 0))])
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN)
    assert got.files == 0 and not (tmp_path / "submitted").exists() and len(got.skipped) == 1


def test_hostile_members_are_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../evil_1_2_ps3_management.ipynb", "x")
        zf.writestr("/abs/ana/ps3_management.ipynb", "x")
        link = zipfile.ZipInfo("ana/ps3_management.ipynb")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/shadow")
        fifo = zipfile.ZipInfo("ben/ps3_management.ipynb")
        fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
        zf.writestr(fifo, "")
        zf.writestr("readme.txt", "no student here")
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, roster={"ana": "ana", "ben": "ben"})
    assert got.files == 0 and len(got.skipped) == 5, got.skipped
    assert not (tmp_path / "submitted").exists()
    assert not (tmp_path.parent / "evil_1_2_ps3_management.ipynb").exists()


def test_roster_errors_are_one_clear_line(tmp_path):
    with pytest.raises(LmsError, match="maps to both"):
        _roster(tmp_path, "student_id,lms_user_id\ns001,12\ns002,12\n")
    with pytest.raises(LmsError, match="line 2: no valid student_id"):
        _roster(tmp_path, "student_id,lms_user_id\n,12\n")


def test_a_broken_zip_is_one_clear_error(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_text("not a zip")
    with pytest.raises(LmsError, match="not a readable zip"):
        collect_zip(bad, tmp_path / "submitted", "ps3", KNOWN, roster={})


def test_zip_time_is_the_lms_time():
    info = zipfile.ZipInfo("x", date_time=(2026, 3, 1, 9, 5, 7))
    assert lms._zip_time(info) == dt.datetime(2026, 3, 1, 9, 5, 7)


@pytest.mark.parametrize("case", ZIP_CASES, ids=[c.name for c in ZIP_CASES])
def test_intake_corpus(tmp_path, monkeypatch, case):
    """Every hole of the intake corpus (tests/adversarial/corpus_intake.py): exactly the expected students are
    collected, each with their own file, and every problem is flagged for the right student."""
    if case.budget is not None:
        monkeypatch.setattr(lms, "MAX_STUDENT_BYTES", case.budget)
    archive = _zip(tmp_path / "lms.zip", list(case.members))
    extra = {"grade_ids": GRADE_IDS} if case.renamed else {}
    got = collect_zip(archive, tmp_path / "submitted", "ps3", KNOWN, roster=_roster(tmp_path, ROSTER), **extra)
    assert got.students == set(case.collected), got.skipped
    for student, text in case.collected.items():
        assert text in (_sub(tmp_path, student) / PS3).read_text()
    flagged = {s for s, problems in getattr(got, "problems", {}).items() if problems}
    assert flagged == set(case.problems_for), getattr(got, "problems", None)
