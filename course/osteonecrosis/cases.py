"""Case files: the public case contract (``docs/case_contract.md``), YAML or JSON, loaded and validated.

One case model: the frozen dataclasses :class:`Medication`, :class:`Findings` and :class:`Case` declare every
field with its contract (a JSON Schema fragment in the field's metadata). :func:`build_schema` assembles them
into the published ``case_schema.json`` (JSON Schema 2020-12, beside this module; a test keeps the file equal
to the model: regenerate it with :func:`write_schema`). :func:`case_from_dict` checks data against that schema,
the one validator (unknown fields, missing ones, wrong types, unknown values, impossible dates), then the drug
catalogue, then builds the dataclasses. Field names are relied on by outside scripts: add fields (the schema's
library fields, or any top-level name starting with ``x_``), rename none.
Every problem raises :class:`CaseError` with one line that names the field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from . import knowledge

CASES_DIR = Path(__file__).resolve().parent / "cases"
SCHEMA_PATH = Path(__file__).resolve().parent / "case_schema.json"

INDICATIONS = ("osteoporosis", "bone_metastases", "multiple_myeloma", "paget", "other")
ROUTES = ("oral", "iv", "sc")
NONSPECIFIC_SIGNS = (
    "odontalgia_without_cause",
    "jaw_pain",
    "sinus_pain",
    "altered_sensation",
    "tooth_mobility",
    "fistula_not_pulpal",
    "radiographic_change",
)
STAGE3_FINDINGS = (
    "beyond_alveolar_bone",
    "pathologic_fracture",
    "extraoral_fistula",
    "oral_antral_or_nasal_communication",
    "osteolysis_to_border",
)
RISK_FACTORS = (
    "diabetes",
    "corticosteroids",
    "smoking",
    "periodontitis",
    "denture",
    "chemotherapy",
    "anemia",
    "dialysis",
    "tori",
    "poor_oral_hygiene",
    "infected_teeth",
    "immunomodulators",
    "antiangiogenic_cotherapy",
)
MEDICAL_HISTORY = (
    "malignancy",                                # any cancer on record (numb-chin rule)
    "skeletal_malignancy",                       # bone metastases, myeloma, primary bone tumour
    "paget_disease",
    "raised_alkaline_phosphatase_unexplained",
    "skeletal_radiotherapy",                     # external-beam or implant radiation involving the skeleton
    "open_epiphyses",
)
PROCEDURES = (
    "extraction",
    "implant",
    "periodontal_surgery",
    "scaling",
    "endodontics",
    "restoration",
    "denture",
    "alveoloplasty",
    "biopsy",
)


class CaseError(ValueError):
    """A case file is missing, unreadable or breaks the contract. The message is one line."""


# --- The case model: one declaration per field, with its contract ---------------------------------------------
# Each field of Medication, Findings and Case carries its JSON Schema fragment in its metadata; case_schema()
# assembles them into the published case_schema.json (a test keeps the file and the model equal), the loader
# checks data against that schema (the one validator), and the dataclasses are built from the checked data.

def _contract(schema: dict[str, Any], **kwargs: Any) -> Any:
    """A dataclass field that declares its part of the case contract (a JSON Schema fragment)."""
    return field(metadata={"schema": schema}, **kwargs)


_FLAG = {"type": ["boolean", "null"]}


def _flag() -> Any:
    return _contract(_FLAG, default=False)


@dataclass(frozen=True)
class Medication:
    drug: str = _contract({"type": "string", "description": "lower-case INN from the drug catalogue"})
    months: float = _contract({"type": "number", "minimum": 0, "description": "time on the drug so far"})
    current: bool = _contract({"type": "boolean", "default": True}, default=True)
    dose_mg: float | None = _contract({"type": ["number", "null"], "minimum": 0}, default=None)
    every_days: float | None = _contract({"type": ["number", "null"], "minimum": 0}, default=None)
    route: str | None = _contract({"enum": [*ROUTES, None]}, default=None)
    last_dose: dt.date | None = _contract({"type": ["string", "null"], "format": "date",
                                           "description": "ISO date YYYY-MM-DD"}, default=None)


@dataclass(frozen=True)
class Findings:
    exposed_bone: bool = _flag()
    fistula_probes_to_bone: bool = _flag()
    weeks_persisting: float = _contract({"type": ["number", "null"], "minimum": 0}, default=0)
    pain: bool = _flag()
    infection: bool = _flag()
    beyond_alveolar_bone: bool = _flag()
    pathologic_fracture: bool = _flag()
    extraoral_fistula: bool = _flag()
    oral_antral_or_nasal_communication: bool = _flag()
    osteolysis_to_border: bool = _flag()
    nonspecific: tuple[str, ...] = _contract({"type": ["array", "null"], "items": {"enum": list(NONSPECIFIC_SIGNS)}},
                                             default=())


@dataclass(frozen=True)
class Case:
    indication: str = _contract({"enum": list(INDICATIONS)})
    medications: tuple[Medication, ...] = _contract({"type": "array", "items": "Medication"})
    findings: Findings = _contract({"type": ["object", "null"], "$model": "Findings"}, default_factory=Findings)
    jaw_radiotherapy: bool = _flag()
    jaw_metastasis: bool = _flag()
    risk_factors: tuple[str, ...] = _contract({"type": ["array", "null"], "items": {"enum": list(RISK_FACTORS)}},
                                              default=())
    planned_procedure: str | None = _contract({"enum": [*PROCEDURES, None]}, default=None)
    medical_history: tuple[str, ...] = _contract(
        {"type": ["array", "null"], "items": {"enum": list(MEDICAL_HISTORY)}}, default=())
    assessed_on: dt.date | None = _contract(
        {"type": ["string", "null"], "format": "date",
         "description": "ISO date YYYY-MM-DD of the visit the case describes; dates such as an overdue denosumab "
                        "dose are judged on it (default: today)"}, default=None)
    id: str | None = _contract({"type": ["string", "integer"]}, default=None)
    patient: dict[str, Any] = _contract(
        {"type": "object", "properties": {"age": {"type": "number", "minimum": 0}, "sex": {"type": "string"}}},
        default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)   # library fields and x_ fields, kept as they are

    def to_dict(self) -> dict[str, Any]:
        """The case as contract-shaped plain data (dates as ISO strings)."""
        out = asdict(self)
        extra = out.pop("extra")
        out["medications"] = [
            {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in m.items() if v is not None}
            for m in out["medications"]
        ]
        out["findings"]["nonspecific"] = list(out["findings"]["nonspecific"])
        out["risk_factors"] = list(out["risk_factors"])
        out["medical_history"] = list(out["medical_history"])
        if self.id is None:
            del out["id"]                  # the contract has no null id: absent means "the file's name"
        if self.assessed_on is None:
            del out["assessed_on"]
        else:
            out["assessed_on"] = self.assessed_on.isoformat()
        out.update(extra)
        return out


# Top-level fields the case library uses beyond the model (kept in Case.extra), with their contract.
LIBRARY_FIELDS: dict[str, dict[str, Any]] = {
    "title": {"type": "string", "description": "library field: short title"},
    "vignette": {"type": "string", "description": "library field: the case told in words"},
    "expected_stage": {"enum": ["not_mronj", "at_risk", "0", "1", "2", "3"],
                       "description": "library field: the stage the vignette should get"},
    "teaching_note": {"type": "string", "description": "library field: what the case teaches"},
}

SCHEMA_HEADER: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Osteonecrosis course case file",
    "description": "The public case contract of the course (docs/case_contract.md). Field names are a contract: "
                   "add fields (library fields below, or any top-level name starting with x_), rename none. Drug "
                   "names are checked against the drug catalogue (knowledge/drugs.yaml) by the loader. Generated "
                   "from the case model (osteonecrosis.cases): do not edit by hand.",
}

_MODELS: dict[str, type] = {"Medication": Medication, "Findings": Findings, "Case": Case}


def _model_fields(model: type) -> list[Any]:
    return [f for f in fields(model) if "schema" in f.metadata]


def _object_schema(model: type) -> dict[str, Any]:
    """The JSON Schema of one model: its declared fields; required = the fields without a default."""
    props: dict[str, Any] = {}
    for f in _model_fields(model):
        frag = dict(f.metadata["schema"])
        if isinstance(frag.get("items"), str):
            frag["items"] = _object_schema(_MODELS[frag["items"]])
        if "$model" in frag:
            frag.update({k: v for k, v in _object_schema(_MODELS[frag.pop("$model")]).items() if k != "type"})
        props[f.name] = frag
    required = [f.name for f in _model_fields(model)
                if f.default is MISSING and f.default_factory is MISSING]
    out: dict[str, Any] = {"type": "object"}
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    out["properties"] = props
    return out


def build_schema() -> dict[str, Any]:
    """The case contract as JSON Schema 2020-12, generated from the model (what ``case_schema.json`` holds)."""
    schema = {**SCHEMA_HEADER, **_object_schema(Case)}
    schema["patternProperties"] = {"^x_": {}}
    schema["properties"].update(LIBRARY_FIELDS)
    return schema


def write_schema(path: Path = SCHEMA_PATH) -> None:
    """Write the generated schema to ``case_schema.json`` (run after changing the model)."""
    path.write_text(json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@cache
def drug_catalogue() -> dict[str, dict[str, Any]]:
    """Drug entries of the knowledge base, keyed by lower-case INN."""
    return {d["id"]: d for d in knowledge.load("drugs")["drugs"]}


def parse_date(value: Any) -> dt.date | None:
    """A date from a datetime.date/datetime or ISO text 'YYYY-MM-DD'; None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


CONTRACT_FIELDS = frozenset(f.name for f in _model_fields(Case))


@cache
def case_schema() -> dict[str, Any]:
    """The published machine-readable case contract (``case_schema.json``), as data."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> Any:
    import jsonschema

    schema = build_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=jsonschema.FormatChecker())


def _got(value: Any) -> str:
    return "null" if value is None else f"{type(value).__name__} {value!r}"


def _where(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "case"


_EXPECTED = {"boolean": "true or false", "number": "a number", "integer": "a whole number", "string": "text",
             "array": "a list", "object": "a mapping"}


def _schema_message(error: Any) -> str:
    """One line for one schema error, naming the field."""
    where = _where(error.absolute_path)
    schema, value = error.schema, error.instance
    if error.validator == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        extra = sorted(k for k in set(value) - set(known)
                       if not any(re.match(p, k) for p in schema.get("patternProperties", {})))
        name = extra[0] if extra else "?"
        field_name = f"{where}.{name}" if error.absolute_path else name
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else (
            "start extra fields with x_" if not error.absolute_path else f"known: {', '.join(known)}")
        return f"{field_name}: unknown field ({hint})"
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in value]
        name = missing[0] if missing else "?"
        field_name = f"{where}.{name}" if error.absolute_path else name
        hint = "; write medications: [] for none" if field_name == "medications" else ""
        return f"{field_name}: missing (required by the case contract{hint})"
    if schema.get("format") == "date":
        if error.validator == "format":
            return f"{where}: not a real date (YYYY-MM-DD), got {value!r}"
        return f"{where}: expected an ISO date (YYYY-MM-DD), got {_got(value)}"
    if error.validator == "type":
        types = [t for t in ([error.validator_value] if isinstance(error.validator_value, str)
                             else error.validator_value) if t != "null"]
        wanted = " or ".join(_EXPECTED.get(t, t) for t in types)
        if not error.absolute_path and types == ["object"]:
            wanted = "a mapping of fields"
        return f"{where}: expected {wanted}, got {_got(value)}"[:300]
    if error.validator == "enum":
        allowed = [str(v) for v in error.validator_value if v is not None]
        if not isinstance(value, str):
            return f"{where}: expected text, got {_got(value)}"
        return f"{where}: unknown value {value!r} (expected one of: {', '.join(allowed)})"
    if error.validator == "minimum":
        return f"{where}: must not be negative, got {value!r}"
    return f"{where}: {error.message}"


def _order(error: Any) -> tuple[Any, ...]:
    """Unknown fields first (a typo must never read as 'absent'), then missing ones, then in path order."""
    return (error.validator != "additionalProperties", error.validator != "required",
            [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in error.absolute_path])


def schema_problems(data: Any) -> list[str]:
    """Every breach of the case contract as one-line messages (unknown fields first); [] when it conforms."""
    return [_schema_message(e) for e in sorted(_validator().iter_errors(data), key=_order)]


def _catalogue_problems(data: dict[str, Any]) -> list[str]:
    """What the schema cannot know: every drug is in the drug catalogue."""
    known = drug_catalogue()
    return [f"medications[{i}].drug: unknown drug {m['drug']!r} (known: {', '.join(sorted(known))})"
            for i, m in enumerate(data.get("medications") or []) if m["drug"] not in known]


def _build(model: type, data: dict[str, Any]) -> Any:
    """A model instance from contract-checked data: absent or null fields take their default."""
    values: dict[str, Any] = {}
    for f in _model_fields(model):
        value = data.get(f.name)
        if value is None:
            continue
        kind = f.metadata["schema"]
        if kind.get("format") == "date":
            value = parse_date(value)
        elif kind.get("items") == "Medication":
            value = tuple(_build(Medication, m) for m in value)
        elif "$model" in kind:
            value = _build(_MODELS[kind["$model"]], value)
        elif isinstance(value, list):
            value = tuple(value)
        elif isinstance(value, dict):
            value = dict(value)
        elif f.type == "float":            # months, weeks_persisting: always float (doses stay as given)
            value = float(value)
        elif f.name == "id":
            value = str(value)
        values[f.name] = value
    return model(**values)


def case_from_dict(data: Any) -> Case:
    """Check contract-shaped data against the case contract and build a :class:`Case`; CaseError names the
    first bad field (unknown fields first: a misspelt ``medication:`` is never read as 'no drugs')."""
    if isinstance(data, dict):
        names = [k for k in data if not isinstance(k, str)]
        if names:
            raise CaseError(f"{names[0]!r}: field names must be text")
    plain = _jsonable(data)
    problems = schema_problems(plain) or _catalogue_problems(plain)
    if problems:
        raise CaseError(problems[0])
    case = _build(Case, plain)
    return replace(case, extra={k: v for k, v in data.items() if k not in CONTRACT_FIELDS})


def _jsonable(data: Any) -> Any:
    """Data as JSON would carry it (dates as ISO text), for the schema check."""
    if isinstance(data, dict):
        return {k: _jsonable(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_jsonable(v) for v in data]
    if isinstance(data, dt.datetime):
        return data.date().isoformat()
    if isinstance(data, dt.date):
        return data.isoformat()
    return data


class _CaseLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML loader that keeps dates as text: the contract checks them (2024-02-30 is one clear error,
    not a crash inside the YAML library)."""


_CaseLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_text(text: str, name: str = "case") -> Any:
    """Parse YAML (a superset of JSON) into data, dates kept as text; CaseError on broken syntax."""
    try:
        return yaml.load(text, Loader=_CaseLoader)  # noqa: S506 - a safe loader (libyaml when available)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CaseError(f"{name}: broken YAML/JSON{where}") from None
    except ValueError as exc:  # a constructor rejected a value
        raise CaseError(f"{name}: unreadable value in YAML ({exc})") from None


def load_case(path: str | Path) -> Case:
    """Load and validate one case file (.yaml, .yml or .json)."""
    path = Path(path)
    if not path.exists():
        raise CaseError(f"{path}: no such case file")
    if path.is_dir():
        raise CaseError(f"{path}: is a directory, not a case file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CaseError(f"{path}: broken JSON at line {exc.lineno}") from None
    else:
        data = parse_text(text, str(path))
    try:
        case = case_from_dict(data)
    except CaseError as exc:
        raise CaseError(f"{path.name}: {exc}") from None
    if case.id is None:
        case = replace(case, id=path.stem)
    return case


@cache
def _library() -> tuple[tuple[str, Case], ...]:
    out: list[tuple[str, Case]] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        case = load_case(path)
        out.append((case.id or path.stem, case))
    return tuple(out)


def library() -> dict[str, Case]:
    """The course's case library (course/osteonecrosis/cases/), keyed by case id (read once per process)."""
    return dict(_library())


def library_case(case_id: str) -> Case:
    """One case of the library by id; CaseError naming the id when absent."""
    cases = library()
    if case_id not in cases:
        raise CaseError(f"no case {case_id!r} in the library (known: {', '.join(sorted(cases))})")
    return cases[case_id]

