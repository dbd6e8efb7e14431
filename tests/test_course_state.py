"""nbgrader's state files beside grade-class's output: copied only from small regular files."""

from __future__ import annotations

import os

from classroom.course_state import complete_submission


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
