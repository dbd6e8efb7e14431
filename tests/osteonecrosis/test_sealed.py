"""Sealed checks, the student side: canonical text, seals that accept exactly the key and its alternatives."""

from __future__ import annotations

import datetime as dt
import hashlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from osteonecrosis import exercises, sealed

SALT = "0123456789abcdef"

plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8) | st.dates(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    | st.tuples(inner, inner),
    max_leaves=12,
)


@pytest.mark.parametrize(("a", "b"), [
    (200, 200.0), ([1, "a"], (1, "a")), ({"x": 1, "y": 2}, {"y": 2, "x": 1}), ({"b", "a"}, {"a", "b"}),
    (76923.07692307694, 76923.07692307692), (math.inf, float("inf")), (dt.date(2026, 3, 1), dt.date(2026, 3, 1)),
])
def test_values_the_tests_treat_as_equal_have_one_text(a: object, b: object) -> None:
    assert sealed.canonical(a) == sealed.canonical(b)


@pytest.mark.parametrize(("a", "b"), [
    ("2", 2), (True, 1), (False, 0), (None, "null"), (["a", "b"], ["b", "a"]), ([1], {1}), (179.9, 180),
    (dt.date(2026, 3, 1), "2026-03-01"), ("not_mronj", "not_mronj "), ({"a": 1}, [["a", 1]]),
])
def test_different_answers_have_different_texts(a: object, b: object) -> None:
    assert sealed.canonical(a) != sealed.canonical(b)


@settings(max_examples=300, deadline=None)
@given(plain)
def test_canonical_never_raises_on_plain_data_and_is_stable(value: object) -> None:
    assert sealed.canonical(value) == sealed.canonical(value)


def test_a_students_odd_object_matches_no_key_and_a_model_answer_must_be_plain() -> None:
    class Always:
        def __eq__(self, other: object) -> bool:  # the classic trick: equal to everything
            return True

    seal = sealed.make_seal([sealed.canonical("2")], SALT)
    assert not sealed.matches(Always(), seal)
    assert not sealed.matches(print, seal)
    deep: list = []
    deep.append(deep)  # a list that holds itself
    assert not sealed.matches(deep, seal)
    with pytest.raises(sealed.Unsealable):
        sealed.canonical(print, strict=True)


def test_a_seal_accepts_the_key_and_its_alternatives_and_nothing_else() -> None:
    seal = sealed.make_seal([sealed.canonical(["a", "b"]), sealed.canonical(["a"])], SALT)
    assert sealed.matches(("a", "b"), seal) and sealed.matches(["a"], seal)
    for wrong in (["b"], ["a", "b", "c"], [], "a", None, ["b", "a"]):
        assert not sealed.matches(wrong, seal), wrong
    assert '"a"' not in seal and SALT in seal


def test_the_seal_does_not_show_the_key_nor_which_alternative_the_model_gave() -> None:
    one = sealed.make_seal([sealed.canonical("2"), sealed.canonical("3")], SALT)
    other = sealed.make_seal([sealed.canonical("3"), sealed.canonical("2")], SALT)
    assert one == other
    assert all(set(d) <= set("0123456789abcdef") for d in one.split(":")[2].split(","))


def test_sealed_check_in_the_three_places_it_runs() -> None:
    exercises.sealed_check("anything", None, "Q1: never raised in the instructor's source")
    seal = sealed.make_seal([sealed.canonical("2")], SALT)
    exercises.sealed_check("2", seal, "Q1: x")
    with pytest.raises(AssertionError, match=r"^Q1 Patient 1: reconsider$"):
        exercises.sealed_check("3", seal, "Q1 Patient 1: reconsider")
    with pytest.raises(AssertionError, match="seal is damaged"):
        exercises.sealed_check("2", "s9:xx:yy", "Q1: x")
    with pytest.raises(AssertionError, match="seal is damaged"):
        exercises.sealed_check("2", 5, "Q1: x")  # type: ignore[arg-type]


def test_recording_keeps_the_model_value_and_the_hidden_alternatives() -> None:
    marker = f"{sealed.RECORD}test_cell:0"
    exercises.sealed_check(("a", 1.0), marker, "Q9: x")
    exercises.also_accept(marker, ["b", 1], ["c", 2])
    exercises.also_accept(None, "ignored")  # in a generated notebook: nothing
    data = sealed.recorded()
    assert '"[\\"a\\",1]"' in data and '"[\\"b\\",1]"' in data and "ignored" not in data
    with pytest.raises(sealed.Unsealable):
        exercises.sealed_check(print, marker, "Q9: a function cannot be a key")


def test_a_kept_digest_is_the_hash_at_the_work_factor_in_force(monkeypatch: pytest.MonkeyPatch) -> None:
    """digest() keeps what it computed (one process hashes the same texts many times), keyed by the work factor
    too: a lowered ITERATIONS never returns a digest made at another, and a kept one is the real hash."""
    def slow(text: str, iterations: int) -> str:
        return hashlib.pbkdf2_hmac("sha256", text.encode(), SALT.encode(), iterations).hex()[:sealed.DIGEST_CHARS]

    first = sealed.digest('"kept"', SALT)
    assert first == sealed.digest('"kept"', SALT) == slow('"kept"', sealed.ITERATIONS)
    monkeypatch.setattr(sealed, "ITERATIONS", 1)
    assert sealed.digest('"kept"', SALT) == slow('"kept"', 1) != first
    assert sealed.digest('"other"', SALT) == slow('"other"', 1)
