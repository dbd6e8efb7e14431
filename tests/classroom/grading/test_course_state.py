"""nbgrader's state files beside grade-class's output: copied only from small regular files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from classroom.grading.course_state import complete_submission


def test_state_files_are_copied_only_from_small_regular_files(tmp_path):
    """grade-class copies timestamp.txt and submission_secret.txt; a FIFO, a link or a huge file is never read."""
    sub = tmp_path / "submitted" / "s1" / "ps1"
    sub.mkdir(parents=True)
    (sub / "timestamp.txt").write_text("2026-03-01 09:00:00")
    os.mkfifo(sub / "submission_secret.txt")
    for kind in ("autograded", "feedback"):
        (tmp_path / kind / "s1" / "ps1").mkdir(parents=True)
        (tmp_path / kind / "s1" / "ps1" / "submission_secret.txt").write_text("stale")
    assert complete_submission(tmp_path, tmp_path / "submitted", "s1", "ps1") == ["timestamp.txt"]
    for kind in ("autograded", "feedback"):
        assert (tmp_path / kind / "s1" / "ps1" / "timestamp.txt").read_text() == "2026-03-01 09:00:00"
        assert not (tmp_path / kind / "s1" / "ps1" / "submission_secret.txt").exists()
    (sub / "submission_secret.txt").unlink()
    (sub / "submission_secret.txt").symlink_to("/etc/hostname")
    (sub / "timestamp.txt").write_text("x" * 10000)
    assert complete_submission(tmp_path, tmp_path / "submitted", "s1", "ps1") == []


def test_the_graders_submission_time_replaces_the_students_timestamp(tmp_path):
    """Issue 18: formgrader and feedback show the time the grader trusts, not what the student wrote."""
    sub = tmp_path / "submitted" / "s1" / "ps1"
    sub.mkdir(parents=True)
    (sub / "timestamp.txt").write_text("2020-01-01 00:00:00")
    for kind in ("autograded", "feedback"):
        (tmp_path / kind / "s1" / "ps1").mkdir(parents=True)
    got = complete_submission(tmp_path, tmp_path / "submitted", "s1", "ps1", timestamp="2026-03-09 08:00:00.000000 UTC")
    assert got == ["timestamp.txt"]
    for kind in ("autograded", "feedback"):
        assert (tmp_path / kind / "s1" / "ps1" / "timestamp.txt").read_text() == "2026-03-09 08:00:00.000000 UTC"


@pytest.mark.slow  # importing the grader (classroom.grading.submission) opens a socket
def test_the_trusted_time_goes_into_submitted_too_and_the_claim_is_kept(tmp_path: Path) -> None:
    """nbgrader counts a submission as autograded only when submitted/'s timestamp.txt equals the gradebook's
    time (formgrader showed every grade-class submission as 'needs autograding' when they differed): the trusted
    time is written there too, the student's claim kept for the flags, and the resume digest does not move."""
    from classroom.grading import course_state, late_penalty
    from classroom.grading.submission import submission_checksum

    submitted = tmp_path / "submitted"
    src = submitted / "s1" / "ps"
    src.mkdir(parents=True)
    (src / "ps.ipynb").write_text("{}")
    (src / "timestamp.txt").write_text("2020-01-01 00:00:00.000000 UTC")
    (tmp_path / "autograded" / "s1" / "ps").mkdir(parents=True)
    before = submission_checksum(src)
    trusted = "2026-12-06 08:07:31.000000 UTC"
    course_state.complete_submission(tmp_path, submitted, "s1", "ps", timestamp=trusted)
    assert (src / "timestamp.txt").read_text() == trusted
    assert (tmp_path / "autograded" / "s1" / "ps" / "timestamp.txt").read_text() == trusted
    assert (src / course_state.CLAIM_FILE).read_text() == "2020-01-01 00:00:00.000000 UTC"
    claim, _ = late_penalty._student_claim(src)
    assert claim is not None and claim.year == 2020
    assert submission_checksum(src) == before
    course_state.complete_submission(tmp_path, submitted, "s1", "ps", timestamp=trusted)  # a regrade keeps it
    assert (src / course_state.CLAIM_FILE).read_text().startswith("2020")


def test_writing_the_trusted_time_never_follows_a_planted_link(tmp_path: Path) -> None:
    """submitted/ holds names the student chose: links at timestamp.txt or at the grader's temporary names are
    replaced, and the files they point at stay as they were."""
    from classroom.grading import course_state

    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    src = tmp_path / "submitted" / "s1" / "ps"
    src.mkdir(parents=True)
    (src / "timestamp.txt").symlink_to(outside)
    (src / ".timestamp.txt.grader-part").symlink_to(outside)
    (src / ".timestamp.claimed.txt.grader-part").symlink_to(outside)
    course_state.complete_submission(tmp_path, tmp_path / "submitted", "s1", "ps",
                                     timestamp="2026-12-06 08:00:00.000000 UTC")
    assert outside.read_text() == "keep me"
    assert not (src / "timestamp.txt").is_symlink()
    assert (src / "timestamp.txt").read_text().startswith("2026-12-06")
    assert (src / course_state.CLAIM_FILE).read_text() == ""  # a link is no claim


def test_the_kept_claim_is_one_of_nbgraders_own_files_not_an_extra_upload() -> None:
    """The files guard does not report the kept claim as a student's unused extra file."""
    from classroom.grading import course_state
    from classroom.grading.guards import files

    assert set(course_state.TIME_FILES) <= files.IGNORED
