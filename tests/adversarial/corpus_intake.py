"""The intake corpus: hostile or awkward LMS downloads and submission times, each with what must happen.

These holes sit before grading (who a file belongs to, when it arrived), so they do not fit the class-run corpus
of ``corpus.py`` (one student's files in ``submitted/``, graded without a due date): a forged time changes nothing
there and a zip is never read. ``tests/classroom/grading/test_grading_lms.py`` collects every :data:`ZIP_CASES` zip and
``tests/classroom/grading/test_late_penalty.py`` times every :data:`TIME_CASES` submission; each case fails on the
code before
issue 18 (none passes by accident: the victims' files are told apart by their text).

The roster of the zip cases: s001 Ana Diaz (Moodle/Canvas id 1234), s002 Ben López (1250, never submits),
s003 Cleo Ruiz (1301), s009 Zed Evil (999, the attacker), kim (777, no name on record).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

NOTEBOOK = "ps3_management.ipynb"
GRADE_IDS = {NOTEBOOK: {"answer_q1", "test_q1"}}
ROSTER = ("student_id,first_name,last_name,lms_user_id\n"
          "s001,Ana,Diaz,1234\ns002,Ben,López,1250\ns003,Cleo,Ruiz,1301\ns009,Zed,Evil,999\nkim,,,777\n")
BIG = "x" * 600  # with the test's budget of 1000 bytes per student, two of these are over it
ANA = "Ana Diaz_1234_assignsubmission_file_"
ZED = "Zed Evil_999_assignsubmission_file_"


def notebook(marker: str, *grade_ids: str) -> str:
    """A notebook holding ``marker`` whose cells carry ``grade_ids`` (nbgrader cell metadata)."""
    cells = [{"cell_type": "code", "id": f"c{n}", "metadata": {"nbgrader": {"grade_id": g, "solution": True}},
              "source": marker, "outputs": [], "execution_count": None} for n, g in enumerate(grade_ids)]
    cells.append({"cell_type": "markdown", "id": "m", "metadata": {}, "source": marker})
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@dataclass(frozen=True)
class ZipCase:
    name: str
    hole: str  # what went wrong before
    members: tuple[tuple[str, str, tuple[int, ...]], ...]  # (zip member, text, LMS time)
    collected: dict[str, str]  # student -> text their collected notebook must hold (nobody else collected)
    problems_for: frozenset[str] = frozenset()  # students ("" = no owner) the collection must flag
    renamed: bool = False  # needs the assignment's grade ids
    budget: int | None = None  # bytes per student, for the size-budget case
    notes: tuple[str, ...] = field(default_factory=tuple)


T1, T2 = (2026, 3, 1, 9, 0, 0), (2026, 3, 5, 9, 0, 0)

ZIP_CASES: list[ZipCase] = [
    ZipCase("moodle_flat_replaces_victim", "a Moodle flat name typed in an upload replaced another's work",
            ((f"{ANA}{NOTEBOOK}", "{ana}", T1), (f"{ZED}x_1234_assignsubmission_file_{NOTEBOOK}", "{zed}", T2)),
            {"s001": "{ana}"}, frozenset({"s009"})),
    ZipCase("moodle_flat_grades_non_submitter", "a Moodle flat name typed in an upload graded a non-submitter",
            ((f"{ZED}y_1250_assignsubmission_file_{NOTEBOOK}", "{full marks}", T1),), {}, frozenset({"s009"})),
    ZipCase("moodle_flat_pushes_over_budget", "uploads naming a third student pushed them over the size budget",
            (("Cleo Ruiz_1301_assignsubmission_file_" + NOTEBOOK, "{cleo}", T1),
             (f"{ZED}z_1301_assignsubmission_file_ps3_management-1.ipynb", BIG, T1),
             (f"{ZED}w_1301_assignsubmission_file_ps3_management-2.ipynb", BIG, T1)),
            {"s003": "{cleo}"}, frozenset({"s009"}), budget=1000),
    ZipCase("moodle_folder_inside_folder", "a Moodle folder name inside the attacker's own folder",
            ((f"{ANA}/{NOTEBOOK}", "{ana}", T1), (f"{ZED}/{ANA}/{NOTEBOOK}", "{zed}", T2)),
            {"s001": "{ana}", "s009": "{zed}"}, frozenset({"s009"})),
    ZipCase("moodle_name_of_another_student", "a participant id whose Moodle name is another student's",
            (("Ben López_1234_assignsubmission_file_/" + NOTEBOOK, "{?}", T1),), {}, frozenset({""})),
    ZipCase("canvas_name_without_its_id", "a Canvas name that is a student's id, with another user id",
            (("s001_99999_1_" + NOTEBOOK, "{impostor}", T1),), {}, frozenset({""})),
    ZipCase("canvas_prefix_inside_upload", "a Canvas prefix typed at the start of an upload",
            (("zed_999_5_diazana_1234_6_" + NOTEBOOK, "{zed}", T1),), {}, frozenset({"s009"})),
    ZipCase("canvas_renamed_upload", "a real Canvas upload named ..._final.ipynb scored 0",
            (("diazana_1234_67890_ps3_management_final.ipynb", notebook("{ana}", "answer_q1"), T1),),
            {"s001": "{ana}"}, renamed=True),
    ZipCase("moodle_subfolder", "a real Moodle upload in a subfolder scored 0",
            ((f"{ANA}/ps3/{NOTEBOOK}", "{ana}", T1), (f"{ANA}/ps3/notes.txt", "notes", T1)), {"s001": "{ana}"}),
    ZipCase("one_moodle_submission_in_subfolder", "a zip of one Moodle folder was read as its contents",
            ((f"{ANA}/ps3/{NOTEBOOK}", "{ana}", T1),), {"s001": "{ana}"}),
    ZipCase("same_notebook_in_two_folders", "two copies under the assignment's name: the grader must not guess",
            ((f"{ANA}/{NOTEBOOK}", "{top}", T1), (f"{ANA}/old/{NOTEBOOK}", "{old}", T2),
             (f"{ANA}/final.ipynb", notebook("{final}", "answer_q1"), T2)), {}, frozenset({"s001"}), renamed=True),
    ZipCase("honest_dated_name", "an honest upload named with a date is taken, and not flagged",
            (("Cleo Ruiz_1301_assignsubmission_file_ps3_2026_03_01_final.ipynb", notebook("{cleo}", "test_q1"), T1),),
            {"s003": "{cleo}"}, renamed=True),
    ZipCase("two_candidate_notebooks", "two renamed notebooks: the grader must not guess",
            (("kim_777_1_draft.ipynb", notebook("{draft}", "answer_q1"), T1),
             ("kim_777_2_final.ipynb", notebook("{final}", "test_q1"), T2)), {}, frozenset({"kim"}), renamed=True),
]


@dataclass(frozen=True)
class TimeCase:
    name: str
    hole: str
    stamp: str | None  # what the submission's own timestamp.txt says (None: there is none)
    inbound: str | None  # the exchange entry's name stamp, with the same notebooks (None: no entry)
    source: str  # where the trusted time must come from
    flag: str  # words the flag must hold ("" : no flag)


TIME_CASES: list[TimeCase] = [
    TimeCase("forged_2020", "a timestamp.txt written by the student said 2020: no late penalty",
             "2020-01-01 00:00:00.000000 UTC", "2020-01-01 00:00:00.000000 UTC", "the exchange",
             "timestamp.txt says 2020-01-01 00:00:00 UTC"),
    TimeCase("no_timestamp", "a submission without timestamp.txt was silently on time", None, None,
             "the collect time", "no timestamp.txt"),
    TimeCase("invalid_timestamp", "an unreadable timestamp.txt was silently on time", "soon", None,
             "the collect time", "timestamp.txt is not a valid time"),
    TimeCase("future_timestamp", "a timestamp far after the exchange's time is flagged, not trusted",
             "2099-01-01 00:00:00.000000 UTC", "2099-01-01 00:00:00.000000 UTC", "the exchange",
             "timestamp.txt says 2099-01-01 00:00:00 UTC"),
]
