"""Unpacking an LMS zip into submitted/: layouts, a custom pattern, and refusal of hostile members."""

from __future__ import annotations

import stat
import zipfile

import pytest
from classroom.lms import LmsError, collect_zip

KNOWN = ["ps1.ipynb", "data.csv"]


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_flat_and_folder_layouts(tmp_path):
    archive = _zip(tmp_path / "lms.zip", {
        "ana_late_123_456_ps1.ipynb": "{ana}",
        "ben_789_1011_data.csv": "1,2",
        "export/chloe/ps1.ipynb": "{chloe}",
        "__MACOSX/._junk": "x",
    })
    got = collect_zip(archive, tmp_path / "submitted", "ps1", KNOWN)
    assert got.students == {"ana", "ben", "chloe"} and got.files == 3 and got.skipped == []
    assert (tmp_path / "submitted" / "ana" / "ps1" / "ps1.ipynb").read_text() == "{ana}"
    assert (tmp_path / "submitted" / "ben" / "ps1" / "data.csv").read_text() == "1,2"
    assert (tmp_path / "submitted" / "chloe" / "ps1" / "ps1.ipynb").read_text() == "{chloe}"


def test_a_custom_pattern(tmp_path):
    archive = _zip(tmp_path / "lms.zip", {"ps1 - Dana Smith (ds42) - ps1.ipynb": "{dana}"})
    got = collect_zip(archive, tmp_path / "submitted", "ps1", KNOWN,
                      pattern=r"\((?P<student_id>[a-z0-9]+)\) - (?P<file_id>.+)$")
    assert got.students == {"ds42"}
    assert (tmp_path / "submitted" / "ds42" / "ps1" / "ps1.ipynb").read_text() == "{dana}"


def test_hostile_members_are_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../evil_1_2_ps1.ipynb", "x")
        zf.writestr("/abs/ana/ps1.ipynb", "x")
        link = zipfile.ZipInfo("ana/ps1.ipynb")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/shadow")
        zf.writestr("-rf_1_2_ps1.ipynb", "x")
        zf.writestr("readme.txt", "no student here")
    got = collect_zip(archive, tmp_path / "submitted", "ps1", KNOWN)
    assert got.files == 0 and len(got.skipped) == 5
    assert not (tmp_path / "submitted").exists() or not any((tmp_path / "submitted").rglob("*.ipynb"))
    assert not (tmp_path.parent / "evil_1_2_ps1.ipynb").exists()


def test_a_broken_zip_is_one_clear_error(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_text("not a zip")
    with pytest.raises(LmsError, match="not a readable zip"):
        collect_zip(bad, tmp_path / "submitted", "ps1", KNOWN)
