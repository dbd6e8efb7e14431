"""Komarova remodelling model with drug effects: steady state, suppression, rebound."""

from __future__ import annotations

import numpy as np
import pytest
from osteonecrosis.models import remodelling as rm
from osteonecrosis.models.parameters import ModelInputError, value


def test_published_steady_state_is_reproduced():
    x1, x2 = rm.KomarovaParameters.from_knowledge().steady_state()
    assert x1 == pytest.approx(1.06066, rel=1e-4)       # BioModels BIOMD0000000148 reproduction
    assert x2 == pytest.approx(212.132, rel=1e-4)


def test_no_drug_stays_at_steady_state():
    r = rm.simulate("none", treatment_months=0, follow_up_months=24)
    assert np.allclose(r.resorption_percent, 100.0, atol=1e-6)
    assert np.allclose(r.bone_mass, 100.0, atol=1e-6)


def test_perturbation_without_drug_returns_to_steady_state():
    r = rm.simulate("none", treatment_months=0, follow_up_months=18, perturb_day=30)
    assert r.resorption_percent.max() > 500              # a remodelling cycle starts
    assert r.resorption_percent[-1] == pytest.approx(100.0, abs=1.0)
    assert r.formation_percent[-1] == pytest.approx(100.0, abs=1.0)
    assert r.bone_mass.min() < 99.0                      # bone is resorbed, then refilled
    assert r.bone_mass[-1] == pytest.approx(100.0, abs=0.5)


def test_denosumab_suppresses_resorption_near_the_label_figure():
    r = rm.simulate("denosumab", treatment_months=24, follow_up_months=0)
    second_year = (r.t_days > r.start_day + 365) & (r.t_days < r.stop_day)
    mean = r.resorption_percent[second_year].mean()
    target = 100 * (1 - value("rm-denosumab-max-suppression"))
    assert target - 10 < mean < target + 10


def test_denosumab_withdrawal_overshoots_resorption():
    r = rm.simulate("denosumab", treatment_months=24, follow_up_months=18)
    assert r.peak_resorption_after_stop() > 120          # rebound above the pre-treatment level
    after = r.t_days > r.stop_day
    assert r.bone_mass[after].min() < 99.0               # with bone loss


def test_bisphosphonate_effect_fades_slowly_without_rebound():
    r = rm.simulate("bisphosphonate", treatment_months=24, follow_up_months=18)
    assert r.peak_resorption_after_stop() < 100          # still suppressed 18 months after stopping
    assert r.resorption_percent[-1] < 60


def test_denosumab_offset_is_faster_than_bisphosphonate():
    d = rm.simulate("denosumab", 24, 18)
    b = rm.simulate("bisphosphonate", 24, 18)
    assert d.resorption_percent[-1] > b.resorption_percent[-1]


@pytest.mark.parametrize("kwargs, field", [
    ({"drug": "vitamin"}, "drug"),
    ({"drug": "denosumab", "treatment_months": -3}, "treatment"),
    ({"drug": "denosumab", "treatment_months": 0}, "treatment"),
    ({"drug": "none", "follow_up_months": -1}, "follow-up"),
])
def test_bad_inputs_name_the_field(kwargs, field):
    with pytest.raises(ModelInputError, match=field):
        rm.simulate(**kwargs)
