"""Issue 17 item 3, one typed core: the case model sits below the rules (no import cycle), one case model
gives the published schema, and every result is a frozen dataclass read by attribute (no dict layer)."""

from __future__ import annotations

import ast
from pathlib import Path

import osteonecrosis

PKG = Path(osteonecrosis.__file__).resolve().parent

# The engine's core: the case model, the rules and every module that turns a case into a result.
CORE = ("cases", "rules", "staging", "plan", "prevention", "risk", "management", "scope", "cli",
        "other_staging", "models.virtual_patient")


def _module_names() -> dict[str, Path]:
    out = {}
    for path in PKG.rglob("*.py"):
        parts = path.relative_to(PKG).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """Every relative import inside the package, at module level or inside a function (a lazy import is still
    a dependency), as module -> modules it imports ('' is the package itself)."""
    modules = _module_names()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = [p for p in name.split(".") if p] if is_package else name.split(".")[:-1]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            base = here[:len(here) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            subs = {f"{target}.{a.name}".lstrip(".") for a in node.names} & set(modules)
            deps |= subs or ({target} & set(modules))
        graph[name] = deps - {name}
    return graph


def reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        for dep in graph.get(node, ()):
            if dep == goal:
                return True
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return False


def test_the_case_model_imports_no_rule_and_no_engine_module():
    """cases.py is the bottom of the engine: it may read the knowledge base, nothing that reads a case."""
    deps = import_graph()["cases"]
    assert deps <= {"knowledge", ""}, deps


def test_no_core_module_is_on_an_import_cycle():
    graph = import_graph()
    for name in CORE:
        assert name in graph, name
        assert not reaches(graph, name, name), f"{name} imports itself through a cycle"


def test_the_cycle_check_sees_lazy_imports():
    """The graph counts an import inside a function (the old ``cases.exposure`` -> rules was one):
    management_cases imports management only inside its functions."""
    graph = import_graph()
    text = (PKG / "management_cases.py").read_text(encoding="utf-8")
    assert "\n    from . import management" in text and "\nfrom . import management" not in text
    assert "management" in graph["management_cases"]
    assert "rules" in graph["staging"] and "cases" in graph["rules"]


# --- One case model: the published schema is generated from it, and they agree on generated cases -------------

import copy  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402

import jsonschema  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from osteonecrosis import cases  # noqa: E402
from osteonecrosis.cases import CaseError, case_from_dict  # noqa: E402

CONTRACT_EXAMPLES = 1000
_PUBLISHED = jsonschema.Draft202012Validator(json.loads(cases.SCHEMA_PATH.read_text(encoding="utf-8")),
                                             format_checker=jsonschema.FormatChecker())


def test_published_schema_is_the_schema_the_model_generates():
    """case_schema.json stays published for outside scripts and equals the model's schema (regenerate it with
    ``osteonecrosis.cases.write_schema()`` after changing the model)."""
    assert cases.case_schema() == cases.build_schema()


def test_every_model_field_declares_its_contract():
    for model in (cases.Medication, cases.Findings, cases.Case):
        undeclared = [f.name for f in dataclasses.fields(model) if "schema" not in f.metadata]
        assert undeclared == ([] if model is not cases.Case else ["extra"]), model.__name__
        assert dataclasses.is_dataclass(model) and model.__dataclass_params__.frozen


def test_the_hand_validators_are_gone():
    text = cases.Path(cases.__file__).read_text(encoding="utf-8")
    for name in ("def _bool(", "def _number(", "def _choice(", "def _medication(", "def _findings(", "def _list("):
        assert name not in text, name


_date = st.dates(min_value=cases.dt.date(2000, 1, 1), max_value=cases.dt.date(2035, 12, 31)).map(str)
_flag = st.one_of(st.booleans(), st.none())
_medication = st.fixed_dictionaries(
    {"drug": st.sampled_from(sorted(cases.drug_catalogue())),
     "months": st.one_of(st.integers(0, 200), st.floats(0, 200, allow_nan=False))},
    optional={"current": st.booleans(), "dose_mg": st.one_of(st.none(), st.sampled_from([3, 4, 5, 60, 70, 120])),
              "every_days": st.one_of(st.none(), st.sampled_from([7, 28, 84, 182, 365])),
              "route": st.sampled_from([*cases.ROUTES, None]), "last_dose": st.one_of(st.none(), _date)})
_findings = st.fixed_dictionaries({}, optional={
    **{name: _flag for name in ("exposed_bone", "fistula_probes_to_bone", "pain", "infection",
                                "beyond_alveolar_bone", "pathologic_fracture", "extraoral_fistula",
                                "oral_antral_or_nasal_communication", "osteolysis_to_border")},
    "weeks_persisting": st.one_of(st.none(), st.integers(0, 60)),
    "nonspecific": st.one_of(st.none(), st.lists(st.sampled_from(cases.NONSPECIFIC_SIGNS), unique=True))})
valid_case_data = st.fixed_dictionaries(
    {"indication": st.sampled_from(cases.INDICATIONS), "medications": st.lists(_medication, max_size=3)},
    optional={"id": st.one_of(st.text(max_size=8), st.integers(0, 999)),
              "patient": st.fixed_dictionaries({}, optional={"age": st.integers(0, 100),
                                                             "sex": st.sampled_from(["female", "male"])}),
              "jaw_radiotherapy": _flag, "jaw_metastasis": _flag, "findings": st.one_of(st.none(), _findings),
              "risk_factors": st.one_of(st.none(), st.lists(st.sampled_from(cases.RISK_FACTORS), unique=True)),
              "medical_history": st.one_of(st.none(),
                                           st.lists(st.sampled_from(cases.MEDICAL_HISTORY), unique=True)),
              "planned_procedure": st.sampled_from([*cases.PROCEDURES, None]),
              "assessed_on": st.one_of(st.none(), _date), "title": st.text(max_size=10),
              "x_note": st.integers()})

# One breach at a time: (where to put it, the field the message must name)
_BREACHES = [
    (lambda d: d.pop("indication"), "indication"),
    (lambda d: d.update(indication="gout"), "indication"),
    (lambda d: d.update(medications={"drug": "zoledronate"}), "medications"),
    (lambda d: d.pop("medications"), "medications"),
    (lambda d: d.update(medication=[]), "medication"),
    (lambda d: d.update(jaw_metastasis="no"), "jaw_metastasis"),
    (lambda d: d.update(findings={"pain": 1}), "findings.pain"),
    (lambda d: d.update(findings={"exposed": True}), "findings.exposed"),
    (lambda d: d.update(findings={"weeks_persisting": -1}), "findings.weeks_persisting"),
    (lambda d: d.update(risk_factors=["bad luck"]), "risk_factors[0]"),
    (lambda d: d.update(planned_procedure="tattoo"), "planned_procedure"),
    (lambda d: d.update(assessed_on="2026-02-30"), "assessed_on"),
    (lambda d: d.update(patient={"age": -1}), "patient.age"),
    (lambda d: d.update(medications=[{"drug": "zoledronate", "months": "long"}]), "medications[0].months"),
    (lambda d: d.update(medications=[{"drug": "zoledronate", "months": 3, "dose": 4}]), "medications[0].dose"),
    (lambda d: d.update(medications=[{"drug": "zoledronate", "months": 3, "last_dose": "2024-02-30"}]),
     "medications[0].last_dose"),
]


@settings(max_examples=CONTRACT_EXAMPLES, deadline=None, database=None, derandomize=True)
@given(valid_case_data)
def test_model_and_published_schema_agree_on_valid_cases(data):
    """Every contract-shaped case is accepted by the published schema and by the model, and the model's
    to_dict() is again a valid case that loads to the same Case."""
    assert list(_PUBLISHED.iter_errors(data)) == []
    case = case_from_dict(data)
    again = case.to_dict()
    assert list(_PUBLISHED.iter_errors(json.loads(json.dumps(again)))) == []
    assert case_from_dict(again) == case


@settings(max_examples=CONTRACT_EXAMPLES, deadline=None, database=None, derandomize=True)
@given(valid_case_data, st.sampled_from(range(len(_BREACHES))))
def test_model_and_published_schema_agree_on_broken_cases(data, which):
    """One breach of the contract: the published schema rejects it, and the model gives one line naming the
    field."""
    breach, field_name = _BREACHES[which]
    data = copy.deepcopy(data)
    breach(data)
    assert list(_PUBLISHED.iter_errors(data)), field_name
    with pytest.raises(CaseError) as err:
        case_from_dict(data)
    message = str(err.value)
    assert message.startswith(field_name + ":") and "\n" not in message, message
