"""pip settings the tests' throw-away installs share (a fresh clone's `make setup`, the image's Python layer).

pip reads the environment variable of a negated option inverted: ``PIP_NO_COMPILE=1`` sets ``compile = True``,
which is pip's default, so it changes nothing (only ``PIP_NO_CACHE_DIR`` was made to read as written, in
pypa/pip#5884). ``"0"`` is what switches byte-compilation off. tests/project/test_pip_env.py asks pip's own option
parser, so the setting cannot silently drift back into a no-op.
"""

from __future__ import annotations

# Byte-compiling every installed file is a third of an install's CPU; Python compiles what it imports on first use
# (these environments belong to the test that made them), so the environment is the same one otherwise.
NO_BYTE_COMPILE = {"PIP_NO_COMPILE": "0"}
