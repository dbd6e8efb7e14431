"""Shared pytest configuration. Helpers for real servers live in tests/support/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
SOLUTIONS = ROOT / "solutions"
ASSIGNMENTS = ROOT / "assignments"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
