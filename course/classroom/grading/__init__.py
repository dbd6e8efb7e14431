"""Grading: the sandboxed run of each submission, its guards, nbgrader's hooks, feedback and the gradebook."""
