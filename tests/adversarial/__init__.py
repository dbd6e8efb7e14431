"""Hostile and broken submissions for the grading tests (see corpus.py)."""
