"""The clinical knowledge base: YAML data files with provenance, and the code that reads them.

Every mapping in a knowledge file that has an ``id`` is a *knowledge entry*. Each entry carries
``source`` (a key, or a list of keys, of ``references.yaml``) and ``evidence`` (one of
:data:`EVIDENCE_STATUSES`). An entry marked ``answer: true`` is used as an autograded answer key
and must not rest on an unverified source. :func:`validate` checks all of this; the tests call it.

An entry may also carry its *standing* (:data:`STANDINGS`, default ``current``): ``superseded`` with
``superseded_by`` (what replaced it: entry ids or source keys), or ``contested`` with ``positions``
(two or more sides, each with ``source`` and ``evidence``). A superseded or contested entry is taught,
side by side with the others, and is never an answer key: :func:`entry_problems` reports an entry flagged
as an answer (:data:`ANSWER_FLAGS`) that is not current, and :func:`answer_key_problems` lets the
assignment side check the entry ids its keys rest on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parent

EVIDENCE_STATUSES: tuple[str, ...] = (
    "guideline",        # a guideline or position paper (AAOMS, MASCC/ISOO/ASCO, ECTS, SDCEP, ARCO ...)
    "meta_analysis",    # a meta-analysis or systematic review
    "trial",            # a randomised or controlled trial
    "cohort",           # a cohort or case-control study
    "series",           # a case series
    "case_report",
    "label",            # the product's prescribing information
    "expert_opinion",   # narrative review, textbook or consensus without a formal method
    "seed_claim",       # what the user's seed text says, taught beside its audit
    "teaching_rule",    # a course simplification that makes a guideline criterion exact
    "unverified",       # from memory, not checked: never an answer key
)

VERIFICATION_LEVELS: tuple[str, ...] = ("verified", "secondary", "unverified")

STANDINGS: tuple[str, ...] = (
    "current",      # the course's reference standard (AAOMS 2022 where it speaks) holds it
    "superseded",   # replaced by a later position (superseded_by names what replaced it): history only
    "contested",    # sources disagree (positions lists the sides): teach the sides, grade the reasoning
)

# Flags that make an entry an autograded answer key.
ANSWER_FLAGS: tuple[str, ...] = ("answer", "answer_key", "correct")

# Data files, in the order the course introduces them.
FILES: tuple[str, ...] = (
    "drugs",
    "staging",
    "diagnosis",
    "risk",
    "management",
    "prevention",
    "other_osteonecrosis",
    "pathophysiology",
    "seed_audit",
    "simulation",
)


class KnowledgeError(ValueError):
    """A knowledge file is missing, malformed, or an entry breaks the provenance rules."""


@dataclass(frozen=True)
class Reference:
    key: str
    citation: str
    kind: str
    verification: str
    note: str = ""

    def short(self) -> str:
        """First author and year, e.g. 'Ruggiero SL ... 2022'."""
        return self.citation.split(".")[0][:60]


# libyaml's loader (same results, about 8x faster) when PyYAML was built with it; the pure-Python one otherwise.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def _read_yaml(name: str) -> Any:
    path = KNOWLEDGE_DIR / f"{name}.yaml"
    if not path.exists():
        raise KnowledgeError(f"knowledge file missing: {path.name}")
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:  # pragma: no cover - guarded by the tests
        raise KnowledgeError(f"{path.name}: broken YAML ({exc.__class__.__name__})") from None


def load(name: str) -> Any:
    """The parsed contents of one knowledge file (``drugs``, ``staging``, ``risk`` ...)."""
    return _read_yaml(name)


@cache
def references() -> dict[str, Reference]:
    """The reference registry, keyed by source key."""
    raw = _read_yaml("references")
    out: dict[str, Reference] = {}
    for key, item in raw.items():
        out[key] = Reference(
            key=key,
            citation=" ".join(str(item["citation"]).split()),
            kind=item["kind"],
            verification=item["verification"],
            note=" ".join(str(item.get("note", "")).split()),
        )
    return out


def reference(key: str) -> Reference:
    """One reference; raises KnowledgeError naming the key when it is not in the registry."""
    try:
        return references()[key]
    except KeyError:
        raise KnowledgeError(f"unknown source key: {key!r}") from None


def source_keys(entry: dict[str, Any]) -> list[str]:
    """The source keys of an entry, always as a list."""
    src = entry.get("source")
    if src is None:
        return []
    return [src] if isinstance(src, str) else list(src)


def cite(entry: dict[str, Any]) -> dict[str, Any]:
    """Provenance of an entry as plain data: source keys, citations and evidence status."""
    keys = source_keys(entry)
    return {
        "source": keys,
        "citations": [reference(k).citation for k in keys],
        "evidence": entry.get("evidence"),
    }


def all_entries() -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (path, entry) for every knowledge entry of every data file."""
    for name in FILES:
        if (KNOWLEDGE_DIR / f"{name}.yaml").exists():
            yield from iter_entries(load(name), name)


def iter_entries(data: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (path, entry) for every mapping with an ``id`` inside the given data."""
    if isinstance(data, dict):
        if "id" in data:
            yield f"{path}:{data['id']}", data
        for key, value in data.items():
            yield from iter_entries(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from iter_entries(value, f"{path}[{i}]")


def entry_problems(path: str, entry: dict[str, Any]) -> list[str]:
    """Everything wrong with one entry's provenance (empty when it is sound)."""
    problems: list[str] = []
    keys = source_keys(entry)
    if not keys:
        problems.append(f"{path}: no source")
    for key in keys:
        if key not in references():
            problems.append(f"{path}: source {key!r} is not in references.yaml")
    evidence = entry.get("evidence")
    if evidence not in EVIDENCE_STATUSES:
        problems.append(f"{path}: evidence {evidence!r} is not one of {', '.join(EVIDENCE_STATUSES)}")
    problems.extend(_standing_problems(path, entry))
    if is_answer(entry):
        if evidence == "unverified":
            problems.append(f"{path}: answer-bearing entry has evidence 'unverified'")
        for key in keys:
            ref = references().get(key)
            if ref is not None and ref.verification == "unverified":
                problems.append(f"{path}: answer-bearing entry rests on unverified source {key!r}")
    return problems


def is_answer(entry: dict[str, Any]) -> bool:
    """True when the entry is flagged as an autograded answer key (any of :data:`ANSWER_FLAGS`)."""
    return any(entry.get(flag) is True for flag in ANSWER_FLAGS)


def _standing_problems(path: str, entry: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    value = entry.get("standing", "current")
    if value not in STANDINGS:
        return [f"{path}: standing {value!r} is not one of {', '.join(STANDINGS)}"]
    if value == "superseded":
        by = entry.get("superseded_by")
        if not by or not isinstance(by, str | list):
            problems.append(f"{path}: superseded entry without superseded_by")
    if value == "contested":
        positions = entry.get("positions")
        if not isinstance(positions, list) or len(positions) < 2:
            problems.append(f"{path}: contested entry needs positions (two or more sides)")
        else:
            for i, pos in enumerate(positions):
                where = f"{path}.positions[{i}]"
                if not isinstance(pos, dict) or not pos.get("says"):
                    problems.append(f"{where}: a position needs 'says'")
                    continue
                for key in source_keys(pos) or [None]:
                    if key is None:
                        problems.append(f"{where}: no source")
                    elif key not in references():
                        problems.append(f"{where}: source {key!r} is not in references.yaml")
                if pos.get("evidence") not in EVIDENCE_STATUSES:
                    problems.append(f"{where}: evidence {pos.get('evidence')!r} is not one of "
                                    f"{', '.join(EVIDENCE_STATUSES)}")
    if value != "current" and is_answer(entry):
        problems.append(f"{path}: answer-bearing entry is {value}: a {value} position is never an answer key")
    return problems


def standing(entry_id: str, name: str | None = None) -> str:
    """The standing of an entry: 'current' (the default), 'superseded' or 'contested'."""
    return str(find(entry_id, name).get("standing", "current"))


def standing_detail(entry_id: str, name: str | None = None) -> dict[str, Any]:
    """Standing of an entry with what superseded it or the positions side by side (plain data)."""
    entry = find(entry_id, name)
    out: dict[str, Any] = {"id": entry_id, "standing": str(entry.get("standing", "current"))}
    if "superseded_by" in entry:
        by = entry["superseded_by"]
        out["superseded_by"] = [by] if isinstance(by, str) else list(by)
    if "positions" in entry:
        out["positions"] = [{"says": " ".join(str(p["says"]).split()), **cite(p)} for p in entry["positions"]]
    return out


def answer_key_problems(entry_ids: list[str] | tuple[str, ...]) -> list[str]:
    """For the entry ids an answer key rests on: one line per id that is unknown, superseded, contested
    or unverified (empty when every key rests on current, verified knowledge)."""
    problems: list[str] = []
    for entry_id in entry_ids:
        try:
            entry = find(entry_id)
        except KnowledgeError as exc:
            problems.append(str(exc))
            continue
        value = entry.get("standing", "current")
        if value != "current":
            problems.append(f"{entry_id}: {value}: never an answer key (grade the reasoning instead)")
        if entry.get("evidence") == "unverified" or any(
                references()[k].verification == "unverified" for k in source_keys(entry) if k in references()):
            problems.append(f"{entry_id}: rests on unverified evidence: never an answer key")
    return problems


def validate() -> list[str]:
    """All provenance problems in the knowledge base; an empty list means it is sound."""
    problems: list[str] = []
    for key, ref in references().items():
        if ref.verification not in VERIFICATION_LEVELS:
            problems.append(f"references.{key}: verification {ref.verification!r} is not one of {VERIFICATION_LEVELS}")
        if not ref.citation:
            problems.append(f"references.{key}: empty citation")
    seen: dict[str, str] = {}
    for path, entry in all_entries():
        problems.extend(entry_problems(path, entry))
        file = path.split(".")[0].split(":")[0]
        full_id = f"{file}:{entry['id']}"
        if full_id in seen:
            problems.append(f"{path}: duplicate id {entry['id']!r} (also at {seen[full_id]})")
        seen[full_id] = path
    return problems


@cache
def _present_files() -> list[str]:
    return [n for n in FILES if (KNOWLEDGE_DIR / f"{n}.yaml").exists()]


_INDEXES: dict[str | None, tuple[tuple[int, ...], dict[Any, dict[str, Any]]]] = {}


def _index(name: str | None) -> dict[Any, dict[str, Any]]:
    """{id: the first entry with it} of one file (or of all, in FILES order): what a walk from the top would find
    first. Rebuilt whenever load() returns other data (a cleared cache)."""
    names = [name] if name else _present_files()
    stamp = tuple(id(load(n)) for n in names)
    cached = _INDEXES.get(name)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    index: dict[Any, dict[str, Any]] = {}
    for n in names:
        for _path, entry in iter_entries(load(n), n):
            index.setdefault(entry["id"], entry)
    _INDEXES[name] = (stamp, index)
    return index


def find(entry_id: str, name: str | None = None) -> dict[str, Any]:
    """The entry with this id (searching one file, or all); KnowledgeError when absent."""
    try:
        return _index(name)[entry_id]
    except (KeyError, TypeError):  # TypeError: an id that cannot be a key (a list) matches no entry
        raise KnowledgeError(f"no knowledge entry with id {entry_id!r}") from None


def bibliography(keys: list[str] | tuple[str, ...]) -> str:
    """A numbered Markdown reference list for the given keys (in the given order, duplicates dropped)."""
    lines = []
    for i, key in enumerate(dict.fromkeys(keys), start=1):
        ref = reference(key)
        flag = " *(unverified: taught as 'reported')*" if ref.verification == "unverified" else ""
        lines.append(f"{i}. **[{key}]** {ref.citation}{flag}")
    return "\n".join(lines)
