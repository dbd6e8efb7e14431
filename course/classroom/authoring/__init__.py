"""Authoring: the solution notebooks as source, their checks, and the generated student version."""
