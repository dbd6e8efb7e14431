"""Cohort outcome model: bundle effect, reproducibility, uncertainty bands, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
from osteonecrosis import risk
from osteonecrosis.cases import INDICATIONS
from osteonecrosis.models import cohort
from osteonecrosis.models.parameters import ModelInputError

DRUGS = ("zoledronate", "denosumab", "alendronate", "pamidronate")


@pytest.mark.parametrize("drug", DRUGS)
def test_bundle_lowers_incidence_for_every_indication(drug):
    inds = cohort.indications_for(drug)
    assert inds
    for ind in inds:
        r = cohort.simulate(drug, ind, 20_000, seed=1)
        if r.parameters["p_middle"] == 0:
            assert r.bundle.expected_per_1000 == r.without.expected_per_1000 == 0
            continue
        assert r.bundle.expected_per_1000 < r.without.expected_per_1000, ind
        assert r.bundle.cases <= r.without.cases, ind          # common random numbers: never more cases
        assert r.bundle.band_per_1000[1] <= r.without.band_per_1000[1] * 1.05


def test_oncology_indications_cover_the_contract():
    assert set(cohort.indications_for("zoledronate")) <= set(INDICATIONS)
    assert "bone_metastases" in cohort.indications_for("denosumab")


def test_without_bundle_matches_the_cited_range():
    r = cohort.simulate("zoledronate", "bone_metastases", 200_000, seed=4)
    lo, hi = risk.baseline_range("zoledronate", "bone_metastases").as_fractions()
    assert r.without.expected_per_1000 == pytest.approx(1000 * (lo + hi) / 2)
    assert 1000 * lo <= r.without.simulated_per_1000 <= 1000 * hi
    assert 1000 * lo * 0.8 <= r.without.band_per_1000[0] < r.without.band_per_1000[1] <= 1000 * hi * 1.1


def test_bundle_formula_is_derived():
    p, q, c, rr = 0.05, 0.1, 0.5, 4.28
    without, bundle = cohort.bundle_incidence(p, q, c, rr)
    assert without == p
    assert bundle == pytest.approx(p * (1 + q * (1 - c) * (rr - 1)) / (1 + q * (rr - 1)))
    assert cohort.bundle_incidence(p, q, 0.0, rr)[1] == pytest.approx(p)   # a bundle that foresees nothing
    assert cohort.bundle_incidence(p, 0.0, 1.0, rr)[1] == pytest.approx(p)  # nobody needs an extraction


def test_seeded_runs_reproduce_exactly():
    a = cohort.simulate("denosumab", "bone_metastases", 50_000, seed=7)
    b = cohort.simulate("denosumab", "bone_metastases", 50_000, seed=7)
    c = cohort.simulate("denosumab", "bone_metastases", 50_000, seed=8)
    assert a.without == b.without and a.bundle == b.bundle
    assert (a.without.cases, a.without.band_per_1000) != (c.without.cases, c.without.band_per_1000)


def test_stage_mix_counts_every_case():
    r = cohort.simulate("zoledronate", "multiple_myeloma", 100_000, seed=2)
    for arm in (r.without, r.bundle):
        assert sum(arm.stage_mix.values()) == arm.cases
        assert set(arm.stage_mix) == {"resolved", "1", "2", "3"}
        assert arm.stage_mix["resolved"] > 0


def test_more_foreseen_extractions_prevent_more():
    small = cohort.simulate("zoledronate", "bone_metastases", 1000, share_foreseeable=0.2)
    large = cohort.simulate("zoledronate", "bone_metastases", 1000, share_foreseeable=0.9)
    assert large.bundle.expected_per_1000 < small.bundle.expected_per_1000


@pytest.mark.parametrize("n, kwargs, field", [
    (0, {}, "empty"),
    (-5, {}, "empty"),
    (2.5, {}, "whole number"),
    (10, {"share_needing_extraction": 1.5}, "share needing"),
    (10, {"share_foreseeable": -0.1}, "share foreseen"),
])
def test_bad_controls_give_one_clear_line(n, kwargs, field):
    with pytest.raises(ModelInputError, match=field):
        cohort.simulate("zoledronate", "bone_metastases", n, **kwargs)


def test_no_cited_figure_is_a_clear_message():
    with pytest.raises(ModelInputError, match="sunitinib"):
        cohort.simulate("sunitinib", "bone_metastases", 100)


def test_hundred_thousand_patients_are_vectorised():
    r = cohort.simulate("zoledronate", "bone_metastases", 100_000, seed=0)
    assert r.n == 100_000
    assert isinstance(r.without.simulated_per_1000, float) and np.isfinite(r.without.simulated_per_1000)
