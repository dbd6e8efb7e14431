"""The tests' pip settings mean what their comments say, as pip's own option parser reads them."""

from __future__ import annotations

import os

import pip._internal.commands.install  # noqa: F401 - imported here: its import probes IPv6 with a socket
import pytest
from pip._internal.commands import create_command

from tests.support.pip_env import NO_BYTE_COMPILE


def _compiles(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> bool:
    """Whether `pip install` would byte-compile, with only ``env`` of the PIP_ variables set."""
    for key in [k for k in os.environ if k.startswith("PIP_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    options, _args = create_command("install").parse_args([])
    return bool(options.compile)


def test_no_byte_compile_switches_pips_compilation_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _compiles(monkeypatch, {})  # pip's default
    assert not _compiles(monkeypatch, NO_BYTE_COMPILE)


def test_pip_reads_a_negated_options_variable_inverted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Why NO_BYTE_COMPILE is "0": PIP_NO_COMPILE=1 leaves pip compiling every file."""
    assert _compiles(monkeypatch, {"PIP_NO_COMPILE": "1"})
