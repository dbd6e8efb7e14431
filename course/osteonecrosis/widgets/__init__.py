"""Interactive case simulations (ipywidgets 8): thin views over :mod:`osteonecrosis.models`.

Each function returns a ready widget; display it (or leave it as the last line of a cell). Every widget
says on screen that it is a teaching model, not a clinical predictor, and shows bad input as one clear line.
"""

from __future__ import annotations

from .cohort_lab import CohortLab
from .drug_levels import DrugLevelsLab
from .remodelling_lab import RemodellingLab
from .risk_explorer import RiskExplorer
from .staging_explorer import StagingExplorer
from .virtual_patient import VirtualPatientWidget


def virtual_patient(case_id: str | None = "onc-zoledronate-before-therapy", seed: int = 1) -> VirtualPatientWidget:
    """The virtual patient, starting from a library case (or a patient you build)."""
    return VirtualPatientWidget(case_id, seed)


def cohort_lab(**kw) -> CohortLab:
    """The cohort lab (prevention bundle over N patients)."""
    return CohortLab(**kw)


def staging_explorer() -> StagingExplorer:
    """AAOMS 2022 and SICMF-SIPMO side by side."""
    return StagingExplorer()


def risk_explorer(**kw) -> RiskExplorer:
    """Absolute risk as 1000 people."""
    return RiskExplorer(**kw)


def remodelling_lab(**kw) -> RemodellingLab:
    """Bone remodelling with drug effects and the denosumab rebound."""
    return RemodellingLab(**kw)


def drug_levels(**kw) -> DrugLevelsLab:
    """Skeletal bisphosphonate against serum denosumab, with a holiday."""
    return DrugLevelsLab(**kw)


ALL = {
    "virtual_patient": virtual_patient,
    "cohort_lab": cohort_lab,
    "staging_explorer": staging_explorer,
    "risk_explorer": risk_explorer,
    "remodelling_lab": remodelling_lab,
    "drug_levels": drug_levels,
}

__all__ = ["ALL", "CohortLab", "DrugLevelsLab", "RemodellingLab", "RiskExplorer", "StagingExplorer",
           "VirtualPatientWidget", "cohort_lab", "drug_levels", "remodelling_lab", "risk_explorer",
           "staging_explorer", "virtual_patient"]
