"""Case files: the public case contract (``docs/case_contract.md``), YAML or JSON, loaded and validated.

The machine-readable contract is ``case_schema.json`` (JSON Schema 2020-12) beside this module; the loader
checks every case against it (unknown top-level fields, a missing ``medications`` list, impossible dates)
after its own field checks. Field names are relied on by outside scripts: add fields (the schema's library
fields, or any top-level name starting with ``x_``), rename none.
Every problem raises :class:`CaseError` with one line that names the field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from dataclasses import asdict, dataclass, field, fields
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


@dataclass(frozen=True)
class Medication:
    drug: str
    months: float
    current: bool = True
    dose_mg: float | None = None
    every_days: float | None = None
    route: str | None = None
    last_dose: dt.date | None = None


@dataclass(frozen=True)
class Findings:
    exposed_bone: bool = False
    fistula_probes_to_bone: bool = False
    weeks_persisting: float = 0
    pain: bool = False
    infection: bool = False
    beyond_alveolar_bone: bool = False
    pathologic_fracture: bool = False
    extraoral_fistula: bool = False
    oral_antral_or_nasal_communication: bool = False
    osteolysis_to_border: bool = False
    nonspecific: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    indication: str
    medications: tuple[Medication, ...]
    findings: Findings = field(default_factory=Findings)
    jaw_radiotherapy: bool = False
    jaw_metastasis: bool = False
    risk_factors: tuple[str, ...] = ()
    planned_procedure: str | None = None
    medical_history: tuple[str, ...] = ()
    assessed_on: dt.date | None = None
    id: str | None = None
    patient: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

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
        if self.assessed_on is None:
            del out["assessed_on"]
        else:
            out["assessed_on"] = self.assessed_on.isoformat()
        out.update(extra)
        return out


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


def _iso_date(value: Any, field: str) -> dt.date | None:
    """An optional ISO date field of a case: None when absent; CaseError naming ``field`` when not a real date."""
    if value is None:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise CaseError(f"{field}: expected an ISO date (YYYY-MM-DD), got {value!r}")
    return parsed


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _bool(data: dict[str, Any], key: str, where: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise CaseError(f"{where}{key}: expected true or false, got {_type_name(value)} {value!r}")
    return value


def _number(data: dict[str, Any], key: str, where: str, default: float | None = 0) -> float | None:
    value = data.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CaseError(f"{where}{key}: expected a number, got {_type_name(value)} {value!r}")
    if value < 0:
        raise CaseError(f"{where}{key}: must not be negative, got {value!r}")
    return value


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if not isinstance(value, str):
        raise CaseError(f"{where}: expected text, got {_type_name(value)} {value!r}")
    if value not in allowed:
        raise CaseError(f"{where}: unknown value {value!r} (expected one of: {', '.join(allowed)})")
    return value


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise CaseError(f"{where}{key}: expected a list, got {_type_name(value)} {value!r}")
    return value


def _medication(raw: Any, i: int) -> Medication:
    where = f"medications[{i}]."
    if not isinstance(raw, dict):
        raise CaseError(f"medications[{i}]: expected a mapping with drug and months, got {_type_name(raw)}")
    drug = raw.get("drug")
    if drug is None:
        raise CaseError(f"{where}drug: missing")
    if not isinstance(drug, str):
        raise CaseError(f"{where}drug: expected text, got {_type_name(drug)} {drug!r}")
    if drug not in drug_catalogue():
        raise CaseError(f"{where}drug: unknown drug {drug!r} (known: {', '.join(sorted(drug_catalogue()))})")
    if "months" not in raw:
        raise CaseError(f"{where}months: missing")
    months = _number(raw, "months", where)
    route = raw.get("route")
    if route is not None:
        route = _choice(route, ROUTES, f"{where}route")
    last = _iso_date(raw.get("last_dose"), f"{where}last_dose")
    return Medication(
        drug=drug,
        months=float(months),
        current=_bool(raw, "current", where, default=True),
        dose_mg=_number(raw, "dose_mg", where, default=None),
        every_days=_number(raw, "every_days", where, default=None),
        route=route,
        last_dose=last,
    )


def _findings(raw: Any) -> Findings:
    if raw is None:
        return Findings()
    if not isinstance(raw, dict):
        raise CaseError(f"findings: expected a mapping, got {_type_name(raw)}")
    where = "findings."
    known = {f.name for f in fields(Findings)}
    values: dict[str, Any] = {}
    for f in fields(Findings):
        if f.name == "nonspecific":
            signs = _list(raw, "nonspecific", where)
            values["nonspecific"] = tuple(
                _choice(s, NONSPECIFIC_SIGNS, f"findings.nonspecific[{i}]") for i, s in enumerate(signs)
            )
        elif f.name == "weeks_persisting":
            values[f.name] = float(_number(raw, f.name, where))
        else:
            values[f.name] = _bool(raw, f.name, where)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise CaseError(f"findings.{unknown[0]}: unknown finding (known: {', '.join(sorted(known))})")
    return Findings(**values)


CONTRACT_FIELDS = {
    "id", "patient", "indication", "medications", "jaw_radiotherapy", "jaw_metastasis",
    "findings", "risk_factors", "planned_procedure", "medical_history", "assessed_on",
}


@cache
def case_schema() -> dict[str, Any]:
    """The machine-readable case contract (JSON Schema 2020-12), as data."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> Any:
    import jsonschema

    cls = jsonschema.validators.validator_for(case_schema())
    return cls(case_schema(), format_checker=jsonschema.FormatChecker())


def _where(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "case"


def _schema_message(error: Any) -> str:
    """One line for one schema error, naming the field."""
    where = _where(error.absolute_path)
    if error.validator == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(known))
        extra = [k for k in extra if not any(re.match(p, k) for p in error.schema.get("patternProperties", {}))]
        name = extra[0] if extra else "?"
        field_name = f"{where}.{name}" if error.absolute_path else name
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "start extra fields with x_"
        return f"{field_name}: unknown field ({hint})"
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        name = missing[0] if missing else "?"
        field_name = f"{where}.{name}" if error.absolute_path else name
        return f"{field_name}: missing (required by the case contract)"
    if error.validator == "format" and error.validator_value == "date":
        return f"{where}: not a real date (YYYY-MM-DD), got {error.instance!r}"
    return f"{where}: {error.message}"


def schema_problems(data: Any) -> list[str]:
    """Every breach of ``case_schema.json`` as one-line messages (unknown fields first); [] when it conforms."""
    errors = sorted(_validator().iter_errors(data),
                    key=lambda e: (e.validator != "additionalProperties", e.validator != "required",
                                   list(map(str, e.absolute_path))))
    return [_schema_message(e) for e in errors]


def case_from_dict(data: Any) -> Case:
    """Validate contract-shaped data and build a :class:`Case`; CaseError names the first bad field.

    The field checks below give the friendliest message for a bad value; the schema check
    (:func:`schema_problems`) then rejects what they let through: unknown top-level fields (a misspelt
    ``medication:``), a missing ``medications`` list, impossible dates."""
    if not isinstance(data, dict):
        raise CaseError(f"case: expected a mapping of fields, got {_type_name(data)}")
    unknown = [k for k in data if not isinstance(k, str)]
    if unknown:
        raise CaseError(f"{unknown[0]!r}: field names must be text")
    problems = [p for p in schema_problems(data) if ": unknown field" in p and "." not in p.split(":")[0]]
    if problems:
        raise CaseError(problems[0])
    if "indication" not in data:
        raise CaseError("indication: missing (expected one of: " + ", ".join(INDICATIONS) + ")")
    indication = _choice(data["indication"], INDICATIONS, "indication")
    if "medications" not in data:
        raise CaseError("medications: missing (required by the case contract; write medications: [] for none)")
    meds_raw = data.get("medications")
    if meds_raw is None:
        meds_raw = []
    if not isinstance(meds_raw, list):
        raise CaseError(f"medications: expected a list, got {_type_name(meds_raw)}")
    meds = tuple(_medication(m, i) for i, m in enumerate(meds_raw))
    risk = tuple(_choice(r, RISK_FACTORS, f"risk_factors[{i}]") for i, r in enumerate(_list(data, "risk_factors", "")))
    history = tuple(_choice(h, MEDICAL_HISTORY, f"medical_history[{i}]")
                    for i, h in enumerate(_list(data, "medical_history", "")))
    proc = data.get("planned_procedure")
    if proc is not None:
        proc = _choice(proc, PROCEDURES, "planned_procedure")
    patient = data.get("patient") or {}
    if not isinstance(patient, dict):
        raise CaseError(f"patient: expected a mapping, got {_type_name(patient)}")
    if "age" in patient:
        _number(patient, "age", "patient.")
    assessed = _iso_date(data.get("assessed_on"), "assessed_on")
    case_id = data.get("id")
    if case_id is not None and not isinstance(case_id, str | int):
        raise CaseError(f"id: expected text, got {_type_name(case_id)}")
    problems = schema_problems(_jsonable(data))
    if problems:
        raise CaseError(problems[0])
    return Case(
        id=None if case_id is None else str(case_id),
        patient=dict(patient),
        indication=indication,
        medications=meds,
        jaw_radiotherapy=_bool(data, "jaw_radiotherapy", ""),
        jaw_metastasis=_bool(data, "jaw_metastasis", ""),
        findings=_findings(data.get("findings")),
        risk_factors=risk,
        planned_procedure=proc,
        medical_history=history,
        assessed_on=assessed,
        extra={k: v for k, v in data.items() if k not in CONTRACT_FIELDS},
    )


def _jsonable(data: Any) -> Any:
    """Data as JSON would carry it (dates as ISO text), for the schema check."""
    if isinstance(data, dict):
        return {k: _jsonable(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_jsonable(v) for v in data]
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
        case = Case(**{**case.__dict__, "id": path.stem})
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

