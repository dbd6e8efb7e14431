"""Osteonecrosis of the jaw (MRONJ) teaching package.

A teaching tool, not a clinical decision tool. Clinical knowledge lives in ``knowledge/*.yaml`` with a
source and an evidence status on every entry; the modules apply it:

- :mod:`osteonecrosis.cases`     the case-file contract (load, validate)
- :mod:`osteonecrosis.staging`   case definition and AAOMS 2022 staging
- :mod:`osteonecrosis.risk`      risk ranges by drug, indication, route and risk factors
- :mod:`osteonecrosis.plan`      management and prevention plan for a case
"""

from .cases import Case, CaseError, Findings, Medication, case_from_dict, library, library_case, load_case

DISCLAIMER = (
    "This course teaches; it is not a clinical decision tool. Decisions about real patients belong to "
    "their clinicians, using the current guidelines."
)

__all__ = [
    "DISCLAIMER",
    "Case",
    "CaseError",
    "Findings",
    "Medication",
    "case_from_dict",
    "library",
    "library_case",
    "load_case",
]
