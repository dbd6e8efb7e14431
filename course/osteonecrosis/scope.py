"""The patients the engine models, and the ones it does not (docs/clinical_scope.md).

Every figure in the course (risk ranges, after-extraction risk, outcome figures) comes from adults on
antiresorptive or antiangiogenic drugs, and every plan follows adult guidelines (AAOMS 2022, SDCEP 2017,
MASCC/ISOO/ASCO 2019, ECTS 2022). Outside that population the engine says so in one line and gives no
figures:

- children and adolescents (under 18): MRONJ has essentially not been reported in children treated with
  bisphosphonates (for example pamidronate for osteogenesis imperfecta), so no adult figure applies;
- a jaw that received radiotherapy, for the risk command only: the jaw's main risk is osteoradionecrosis,
  which the engine does not model (notebook 07 teaches it); staging and the plan still name it;
- exposed bone without any antiresorptive or antiangiogenic drug, for the risk command only: that is not
  MRONJ, and other osteonecroses (ischaemic, infective, traumatic) are not modelled.

Staging criteria are still taught for a child (``stage`` answers, with the scope line beside it); figures
(``risk``) and the adult plan (``plan``) are withheld.
"""

from __future__ import annotations

from typing import Any

from . import rules
from .cases import Case

ADULT_AGE = 18
COMMANDS = ("stage", "risk", "plan")
SOURCES = ["aaoms2022", "sdcep2017", "mascc2019", "course_teaching_rule"]


def _age(case: Case) -> float | None:
    age = (case.patient or {}).get("age")
    if isinstance(age, bool) or not isinstance(age, int | float):
        return None
    return float(age)


def out_of_scope(case: Case, command: str = "risk") -> str | None:
    """One line saying why this case is outside what the engine models for ``command`` (None when inside).

    ``command`` is 'stage', 'risk' or 'plan' (also used for the widgets: 'risk' for figures, 'plan' for
    advice, 'stage' for the staging criteria)."""
    if command not in COMMANDS:
        raise ValueError(f"command: expected one of {', '.join(COMMANDS)}, got {command!r}")
    age = _age(case)
    if age is not None and age < ADULT_AGE:
        what = {"stage": "the staging below applies the adult criteria as an exercise, not a diagnosis",
                "risk": "no risk figure is given",
                "plan": "no plan is given; plan with the child's specialist team"}[command]
        return (f"Out of scope: a patient aged {age:g} (under {ADULT_AGE}); the course's figures and guidelines "
                "are for adults, and MRONJ has essentially not been reported in children on bisphosphonates "
                f"(for example pamidronate for osteogenesis imperfecta): {what}.")
    if command != "risk":
        return None
    if case.jaw_radiotherapy:
        return ("Out of scope for risk figures: the jaws were irradiated, so the main risk is "
                "osteoradionecrosis, which this engine does not model (notebook 07); no MRONJ figure is given.")
    if rules.has_lesion(case.findings) and not rules.drugs_given(case):
        return ("Out of scope for risk figures: exposed bone without any antiresorptive or antiangiogenic drug "
                "is not MRONJ, and other osteonecroses are not modelled; no figure is given.")
    return None


def out_of_scope_result(case: Case, command: str, reason: str) -> dict[str, Any]:
    """The JSON the CLI prints for a case outside the scope: the one-line reason, no figures."""
    return {"case": case.id, "command": command, "in_scope": False, "out_of_scope": reason,
            "scope_document": "docs/clinical_scope.md", "source": list(SOURCES),
            "evidence": "teaching_rule"}
