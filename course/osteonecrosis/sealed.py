"""Sealed checks: a visible test that knows whether an answer is right without showing the answer.

A test cell of a solution notebook writes ``sealed_check(value, SEAL, "Qn: what to reconsider (where)")``
after its form checks. ``SEAL`` is ``None`` in the instructor's source (the check does nothing there). When an
assignment is generated, ``classroom.authoring.seal`` runs the model answers once, records what each sealed check
was given, and writes in its place a *seal*: a salted, slow hash (PBKDF2-SHA256) of the value's canonical text,
plus one per alternative the hidden tests also accept (``also_accept``, written in the hidden part). The student's
Validate then fails exactly when the graded value differs from the key, and the seal does not show the key.

What a seal cannot hide: Validate is an oracle. For a question with few possible answers (yes or no, one stage
of six) a student can find the key by trying; docs/authoring.md says how to write questions with that in mind.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import math
from typing import Any

SCHEME = "s1"
ITERATIONS = 5_000  # about 5 ms a check: a graded notebook of 20 checks pays 0.1 CPU-s
DIGEST_CHARS = 32
SIGNIFICANT = 6
RECORD = "record:"
MAX_DEPTH = 12
MAX_ITEMS = 10_000

_records: dict[str, list[str]] = {}
_alternatives: dict[str, list[str]] = {}


class Unsealable(TypeError):
    """A model answer of a kind a seal cannot hold (a function, an object): seal what it returns instead."""


def _number(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return format(value, f".{SIGNIFICANT}g")


def canonical(value: Any, strict: bool = False, _depth: int = 0) -> str:
    """The text a seal hashes: equal for values the course's tests treat as equal (200 and 200.0; a list and
    a tuple; numbers to 6 significant digits; dictionaries and sets in any order). It never raises on a
    student's value (an unknown kind becomes its type name, which matches no key); ``strict`` raises
    :class:`Unsealable` instead, for the model answer."""
    if _depth > MAX_DEPTH:
        if strict:
            raise Unsealable("nested too deeply")
        return "<deep>"
    nxt = _depth + 1
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return "datetime:" + value.isoformat()
    if isinstance(value, dt.date):
        return "date:" + value.isoformat()
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and type(value).__module__.startswith("numpy") and getattr(value, "shape", None) == ():
        return canonical(item(), strict, nxt)
    tolist = getattr(value, "tolist", None)  # numpy arrays
    if callable(tolist) and type(value).__module__.startswith("numpy"):
        return canonical(tolist(), strict, nxt)
    if isinstance(value, list | tuple):
        if len(value) > MAX_ITEMS:
            return "<too long>"
        return "[" + ",".join(canonical(v, strict, nxt) for v in value) + "]"
    if isinstance(value, set | frozenset):
        if len(value) > MAX_ITEMS:
            return "<too long>"
        return "set[" + ",".join(sorted(canonical(v, strict, nxt) for v in value)) + "]"
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            return "<too long>"
        pairs = sorted((canonical(k, strict, nxt), canonical(v, strict, nxt)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}"
    if strict:
        raise Unsealable(f"a {type(value).__name__} cannot be sealed: seal what it returns or contains")
    return f"<{type(value).__name__}>"


def digest(text: str, salt: str) -> str:
    """The slow salted hash of one canonical text."""
    return _digest(text, salt, ITERATIONS)


@functools.lru_cache(maxsize=4096)
def _digest(text: str, salt: str, iterations: int) -> str:
    """Kept per process: the same texts are hashed again and again when one process plays many notebooks (make
    check runs every wrong submission of every variant). A guess never tried before still costs its full hash, so
    the cache does not make trying answers against a seal any cheaper."""
    return hashlib.pbkdf2_hmac("sha256", text.encode("utf-8"), salt.encode("utf-8"), iterations).hex()[:DIGEST_CHARS]


def make_seal(texts: list[str], salt: str) -> str:
    """The seal of the accepted canonical texts (sorted, so the seal does not say which one the model gave)."""
    return f"{SCHEME}:{salt}:" + ",".join(sorted({digest(t, salt) for t in texts}))


def matches(value: Any, seal: str) -> bool:
    """Whether ``value`` is one of the answers ``seal`` accepts."""
    scheme, salt, digests = seal.split(":", 2)
    if scheme != SCHEME:
        raise ValueError(f"unknown seal scheme {scheme!r}")
    mine = digest(canonical(value), salt)
    return any(hmac.compare_digest(mine, d) for d in digests.split(","))


def sealed_check(value: Any, seal: str | None, message: str) -> None:
    """Fail with ``message`` (AssertionError) unless ``value`` is what the key accepts. ``seal`` is None in the
    instructor's source notebook (nothing is checked), a recording marker while the release runs the model
    answers, and the seal in every generated notebook."""
    if seal is None:
        return
    if not isinstance(seal, str):
        raise AssertionError(f"{message} (this check's seal is damaged: ask your instructor)")
    if seal.startswith(RECORD):
        _records.setdefault(seal, []).append(canonical(value, strict=True))
        return
    try:
        ok = matches(value, seal)
    except ValueError:
        raise AssertionError(f"{message} (this check's seal is damaged: ask your instructor)") from None
    if not ok:
        raise AssertionError(message)


def also_accept(seal: str | None, *values: Any) -> None:
    """In a hidden test: other answers the hidden tests give full marks to, so the seal accepts them too.
    Does nothing except while the release records the model answers."""
    if isinstance(seal, str) and seal.startswith(RECORD):
        _alternatives.setdefault(seal, []).extend(canonical(v, strict=True) for v in values)


def recorded() -> str:
    """What the sealed checks were given while recording (JSON), for classroom.authoring.seal."""
    return json.dumps({"records": _records, "alternatives": _alternatives})
