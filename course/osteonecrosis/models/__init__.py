"""Teaching models behind the case simulations: pure, seeded, tested functions (no widgets here).

- :mod:`.parameters`       every model number from ``knowledge/simulation.yaml`` with its source
- :mod:`.pharmacokinetics` skeletal bisphosphonate retention against denosumab serum level
- :mod:`.remodelling`      Komarova et al. 2003 osteoclast-osteoblast model with drug effects
- :mod:`.cohort`           vectorised outcome model over N virtual patients, with uncertainty bands
- :mod:`.virtual_patient`  the seeded timeline simulator with decisions, guideline advice and a debrief

These are teaching models, not clinical predictors: they show the shape of an argument with cited numbers,
and say where a number is a teaching assumption.
"""

from __future__ import annotations

TEACHING_MODEL_NOTE = (
    "Teaching model, not a clinical predictor: it shows the shape of the evidence with cited numbers; "
    "values marked 'assumption' are course teaching assumptions, not published figures."
)

__all__ = ["TEACHING_MODEL_NOTE"]
