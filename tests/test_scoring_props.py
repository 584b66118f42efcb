"""Property tests (hypothesis) for normalisation and aggregation."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import scoring

vals = st.floats(0, 100, allow_nan=False)


def cube_of(values, weights=None):
    """One region, one area, indicators with the given values (NaN = missing)."""
    n = len(values)
    ind = pd.DataFrame({"indicator_id": [f"I{k}" for k in range(n)], "area": "a",
                        "phase": "output", "system": "actions", "target_groups": "TCN",
                        "answers": "", "weight": weights if weights is not None else 1.0,
                        "kind": "policy", "direction": 1})
    sc = pd.DataFrame({"region_id": "R", "indicator_id": ind["indicator_id"],
                       "target_group": "TCN", "edition": 2024, "value": values})
    return scoring.prepare(ind, sc)


def tcn(df):
    return df[df["target_group"] == "TCN"].iloc[0]


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=30)
       .filter(lambda x: max(x) - min(x) > 1e-6), st.sampled_from([1, -1]))
def test_minmax_hits_bounds(x, d):
    y = scoring.normalise(x, "minmax", d)
    assert np.isclose(y.min(), 0, atol=1e-9) and np.isclose(y.max(), 100)
    best = np.argmax(x) if d == 1 else np.argmin(x)
    assert np.isclose(y[best], 100)


@settings(deadline=None)
@given(st.lists(vals, min_size=1, max_size=20), st.floats(0.1, 10))
def test_equal_weights_reproduce_plain_mean(x, w):
    plain = tcn(scoring.aggregate(cube_of(x), by="area"))["score"]
    weighted = tcn(scoring.aggregate(cube_of(x, [w] * len(x)), by="area",
                                     weights="column"))["score"]
    assert np.isclose(plain, np.mean(x)) and np.isclose(weighted, np.mean(x))


@settings(deadline=None)
@given(st.lists(vals, min_size=2, max_size=20), st.data())
def test_missing_indicator_rescales(x, data):
    drop = data.draw(st.integers(0, len(x) - 1))
    y = list(x)
    y[drop] = np.nan
    row = tcn(scoring.aggregate(cube_of(y), by="area", threshold=0.0))
    rest = [v for k, v in enumerate(x) if k != drop]
    assert np.isclose(row["score"], np.mean(rest))
    assert np.isclose(row["coverage"], (len(x) - 1) / len(x)) and row["coverage"] < 1


@settings(deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(1, 100)), min_size=1, max_size=20),
       st.floats(0.05, 1))
def test_below_threshold_is_nan_never_zero(x, thr):
    y = [np.nan if v is None else v for v in x]
    row = tcn(scoring.aggregate(cube_of(y), by="area", threshold=thr))
    present = sum(v is not None for v in x) / len(x)
    assert np.isclose(row["coverage"], present)
    if present < thr - 1e-9:
        assert np.isnan(row["score"])
    else:
        assert row["score"] >= 1  # every present value is ≥ 1: a 0 would be a fake
    # coverage has one meaning (the share of the indicator weight answered behind the
    # score): the overall of one area has that area's coverage, or 0 when it has no score
    ov = tcn(scoring.overall(cube_of(y), threshold=thr))
    assert np.isnan(ov["score"]) == np.isnan(row["score"])
    assert np.isclose(ov["coverage"], 0.0 if np.isnan(row["score"]) else present)
    assert (ov["n_present"], ov["n_total"]) == (0 if np.isnan(row["score"]) else 1, 1)
    assert row["score"] != 0 and ov["score"] != 0


@settings(deadline=None)
@given(st.lists(vals, min_size=1, max_size=20), st.floats(0.01, 5))
def test_geometric_with_zero_is_guarded(x, eps):
    x = list(x) + [0.0]
    row = tcn(scoring.aggregate(cube_of(x), by="area", method="geometric", eps=eps))
    assert np.isfinite(row["score"]) and row["score"] >= eps - 1e-9
    assert row["floored"] == sum(v < eps for v in x) >= 1
    ov = tcn(scoring.overall(cube_of(x), method="geometric", eps=eps))
    assert np.isfinite(ov["score"]) and ov["floored"] >= 1
