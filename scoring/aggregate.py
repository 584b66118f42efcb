"""Aggregation of indicator values along any axis, with explicit missing data.

Every aggregate is ``values @ membership``: a (cells × indicators) matrix times an
(indicators × groups) 0/1 matrix scaled by the weights. Missing values contribute 0 to the
numerator *and* their weight is left out of the denominator, which is "drop and rescale".
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from data.schema import PHASE_ORDER
from scoring.ranks import AXES, ranks  # noqa: F401  (AXES: tables carry these axes)
from scoring.values import Cube

METHODS = ("mean", "geometric")
#: Default floor of the geometric mean, in points on 0–100: log(0) is undefined, so any
#: value below it counts as this much. Reported per aggregate in the ``floored`` column.
GEO_EPS = 1.0
#: Comparisons of coverage with the threshold tolerate float noise (e.g. 3 × (1/6)).
_TOL = 1e-9


def _as_tuple(by) -> tuple:
    if by is None:
        return ()
    return (by,) if isinstance(by, str) else tuple(by)


def _check(by, method):
    bad = [b for b in by if b not in AXES]
    if bad:
        raise ValueError(f"unknown axis {bad}; use any of {AXES}")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {METHODS}")


def _order_key(axis: str):
    """Sort key for an axis' values: known phases in PHASE_ORDER, everything else A–Z."""
    if axis == "phase":
        rank = {p: i for i, p in enumerate(PHASE_ORDER)}
        return lambda v: (rank.get(v, len(rank)), v)
    return lambda v: (0, v)


def membership(cube: Cube, by=("area",), kinds=None) -> tuple[np.ndarray, pd.DataFrame]:
    """The (I, K) 0/1 matrix saying which indicator belongs to which group of ``by``.

    Inputs: ``by`` one axis name or a tuple of them (area, phase, system, indicator_id);
    ``()`` puts all indicators in one group. ``kinds`` restricts to indicator kinds
    (e.g. ``("policy",)``); None keeps all.
    Output: (matrix float (I, K), DataFrame of the K group labels with one column per axis).
    Only combinations that occur among the indicators are groups.
    """
    by = _as_tuple(by)
    meta = cube.indicators
    keep = np.ones(len(meta), bool) if kinds is None else meta["kind"].isin(kinds).to_numpy()
    if not by:
        return keep[:, None].astype(float), pd.DataFrame(index=range(1))
    keys = list(zip(*(meta[b] for b in by)))
    combos = sorted({k for k, ok in zip(keys, keep) if ok},
                    key=lambda k: tuple(_order_key(b)(v) for b, v in zip(by, k)))
    index = {k: j for j, k in enumerate(combos)}
    M = np.zeros((len(meta), len(combos)))
    for i, (k, ok) in enumerate(zip(keys, keep)):
        if ok:
            M[i, index[k]] = 1.0
    return M, pd.DataFrame(combos, columns=list(by))


def indicator_weights(cube: Cube, weights=None) -> np.ndarray:
    """Weights per indicator, shape (I,).

    ``None`` (the default everywhere) or ``"column"`` → the indicators table's ``weight``
    column: the weights are data (a missing weight counts 1; 0 excludes the indicator — its
    value is shown but counts in no score and no coverage). ``"equal"`` → all 1 (MIPEX's
    published rule, whatever the data says). A mapping indicator_id → weight overrides the
    column for those named; an array of length I is used as is. Negative weights raise
    ``ValueError``.
    """
    meta = cube.indicators
    if weights is None or (isinstance(weights, str) and weights == "column"):
        w = meta["weight"].to_numpy(float)
    elif isinstance(weights, str):
        if weights != "equal":
            raise ValueError("weights must be None, 'column', 'equal', a mapping or an array")
        w = np.ones(len(meta))
    elif isinstance(weights, Mapping):
        unknown = set(weights) - set(meta["indicator_id"])
        if unknown:
            raise ValueError(f"weights name unknown indicators: {sorted(unknown)}")
        base = meta["weight"].to_numpy(float)
        w = np.array([float(weights.get(k, b)) for k, b in zip(meta["indicator_id"], base)])
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(meta),):
            raise ValueError(f"weights array must have shape ({len(meta)},)")
    if np.any(w < 0) or np.any(np.isnan(w)):
        raise ValueError("weights must be non-negative numbers")
    return w


def group_weight_vector(labels: pd.DataFrame, group_weights=None) -> np.ndarray:
    """Weights per group (K,): None → 1 each; mapping label → weight (others 1).

    For a single axis the mapping key is the label (``{"health": 2}``); for pairs, the tuple.
    """
    k = len(labels)
    if group_weights is None:
        return np.ones(k)
    if isinstance(group_weights, Mapping):
        keys = [row[0] if len(row) == 1 else tuple(row) for row in labels.itertuples(index=False)]
        unknown = set(group_weights) - set(keys)
        if unknown:
            raise ValueError(f"group_weights name unknown groups: {sorted(map(str, unknown))}")
        gw = np.array([group_weights.get(key, 1.0) for key in keys], dtype=float)
    else:
        gw = np.asarray(group_weights, dtype=float)
        if gw.shape != (k,):
            raise ValueError(f"group_weights array must have shape ({k},)")
    if np.any(gw < 0) or np.any(np.isnan(gw)):
        raise ValueError("group_weights must be non-negative numbers")
    return gw


def aggregate_arrays(values, asked, M, w, method="mean", threshold=0.5, eps=GEO_EPS) -> dict:
    """Array core of :func:`aggregate`.

    values (R, G, E, I), asked (I, G), M (I, K), w (I,). Returns a dict of arrays shaped
    (R, G, E, K): score, coverage, n_present, n_total, floored. Indicators of weight 0 are
    excluded: they count in no score, no coverage and neither count.
    """
    lead = values.shape[:-1]
    V = values.reshape(-1, values.shape[-1])
    P = ~np.isnan(V)
    wM = w[:, None] * M
    M = M * (w > 0)[:, None]  # the counts leave excluded indicators out too
    Pf = P.astype(float)
    present_w = Pf @ wM
    n_present = Pf @ M
    if method == "mean":
        num = np.where(P, V, 0.0) @ wM
        floored = np.zeros_like(num)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            num = np.where(P, np.log(np.maximum(V, eps)), 0.0) @ wM
        floored = (P & (V < eps)).astype(float) @ M
    shape = lead + (M.shape[1],)
    present_w, n_present, num, floored = (a.reshape(shape)
                                          for a in (present_w, n_present, num, floored))
    # weight asked for each target group: (G, K), broadcast over regions and editions
    total_w = (asked.T.astype(float) @ wM)[None, :, None, :]
    n_total = (asked.T.astype(float) @ M)[None, :, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = present_w / total_w
        score = num / present_w
    if method == "geometric":
        score = np.exp(score)
    coverage = np.where(total_w > 0, coverage, np.nan)
    ok = (present_w > 0) & (coverage >= threshold - _TOL)
    score = np.where(ok, score, np.nan)
    return {"score": score, "coverage": coverage, "n_present": n_present,
            "n_total": np.broadcast_to(n_total, shape), "floored": floored}


def combine_groups(score, applicable, gw, method="mean", threshold=0.5, eps=GEO_EPS,
                   coverage=None) -> dict:
    """Array core of :func:`overall`: group scores (R, G, E, K) → overall (R, G, E).

    Formula: weighted (or geometric) mean of the group scores that have a value, with the
    group weights ``gw`` of the groups that apply to the target group (``applicable``
    (G, K): the group holds an indicator of positive weight asked for that target group).
    Coverage (the one meaning of the word: the share of the indicator weight answered
    behind the score) = Σ_k gw_k·coverage_k / Σ_k gw_k over the applicable groups, where
    ``coverage`` is the groups' own coverage (R, G, E, K) and a group without a score
    counts 0 (its answers are in no score) — i.e. each indicator weighs what it weighs in
    the overall score when everything is answered. The score is NaN when that coverage is
    below ``threshold`` or no group has a score. ``n_present`` / ``n_total`` count the groups with
    a score / that apply ("areas with a score: 8 / 9").
    """
    app = applicable[None, :, None, :].astype(float) * gw
    P = ~np.isnan(score)
    present_w = (P * app).sum(-1)
    total_w = app.sum(-1)
    if coverage is None:  # without the groups' coverage, every group counts as answered
        coverage = np.where(applicable[None, :, None, :], 1.0, np.nan)
    covered = (np.where(P, np.nan_to_num(np.asarray(coverage, float)), 0.0) * app).sum(-1)
    if method == "mean":
        num = (np.where(P, score, 0.0) * app).sum(-1)
        floored = np.zeros_like(num)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            num = (np.where(P, np.log(np.maximum(score, eps)), 0.0) * app).sum(-1)
        floored = (P & (score < eps) & (app > 0)).sum(-1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = np.where(total_w > 0, covered / total_w, np.nan)
        out = num / present_w
    if method == "geometric":
        out = np.exp(out)
    ok = (present_w > 0) & (cov >= threshold - _TOL)
    return {"score": np.where(ok, out, np.nan), "coverage": cov,
            "n_present": (P & (app > 0)).sum(-1).astype(float),
            "n_total": np.broadcast_to((app > 0).sum(-1).astype(float), num.shape),
            "floored": floored}


def _cat(labels, codes):
    return pd.Categorical.from_codes(codes, categories=pd.Index(labels))


def _frame(cube: Cube, arrays: dict, labels: pd.DataFrame | None,
           editions=None) -> pd.DataFrame:
    """Long form: one row per region × group × edition [× axis group].

    ``arrays`` are shaped (R, G, E, K) or (R, G, E); ``editions`` overrides the cube's.
    """
    editions = cube.editions if editions is None else np.asarray(editions)
    R, G, E = len(cube.regions), len(cube.groups), len(editions)
    K = 1 if labels is None else len(labels)
    n = R * G * E * K
    idx = np.arange(n)
    k = idx % K
    e = (idx // K) % E
    g = (idx // (K * E)) % G
    r = idx // (K * E * G)
    cols = {"region_id": _cat(cube.regions, r), "target_group": _cat(list(cube.groups), g),
            "edition": editions[e]}
    if labels is not None:
        for c in labels.columns:
            # a column of a pair repeats its values, so its categories are its unique values
            codes, uniques = pd.factorize(labels[c])
            cols[c] = _cat(np.asarray(uniques), codes[k])
    for name, arr in arrays.items():
        cols[name] = np.ascontiguousarray(arr).reshape(-1)
    out = pd.DataFrame(cols)
    for c in ("n_present", "n_total", "floored"):
        if c in out:
            out[c] = out[c].astype("int64")
    return out


def aggregate(cube: Cube, by=("area",), weights=None, method: str = "mean",
              threshold: float = 0.5, eps: float = GEO_EPS, kinds=None) -> pd.DataFrame:
    """Scores of every region × target group × edition, grouped along ``by``.

    Formula (group k, weights w_i, present indicators P):
    mean: score = Σ_{i∈P∩k} w_i·v_i / Σ_{i∈P∩k} w_i;
    geometric: score = exp(Σ w_i·ln max(v_i, eps) / Σ w_i) — values below ``eps`` (default 1
    point) are floored to it so a 0 does not zero the group; ``floored`` counts them.
    Inputs: ``by`` an axis or tuple of axes (area, phase, system, indicator_id), e.g.
    ``("area", "phase")`` for a heatmap, ``()`` for all indicators together; ``weights``
    see :func:`indicator_weights` (None = the indicators' ``weight`` column; ``"equal"``
    = unweighted, MIPEX's published rule); ``kinds`` e.g.
    ``("policy",)``.
    Missing data: missing indicators are dropped and the weights rescaled; coverage =
    Σ_{present} w / Σ_{asked for this target group} w; score is NaN (never 0) when coverage
    < ``threshold`` or nothing is present; coverage is NaN when no indicator of the group
    is asked for the target group.
    Output: DataFrame with columns region_id, target_group, edition, <by columns>, score,
    coverage, n_present, n_total, floored — R·G·E·K rows; categorical label columns.
    ``df.attrs`` records by, method, weights, threshold, eps.
    """
    by = _as_tuple(by)
    _check(by, method)
    M, labels = membership(cube, by, kinds)
    w = indicator_weights(cube, weights)
    arrays = aggregate_arrays(cube.values, cube.asked, M, w, method, threshold, eps)
    out = _frame(cube, arrays, labels if by else None)
    out.attrs.update({"by": by, "method": method, "threshold": threshold, "eps": eps,
                      "weights": "column" if weights is None else
                      weights if isinstance(weights, str) else "custom"})
    return out


def overall_arrays(cube: Cube, by=("area",), weights=None, group_weights=None,
                   method="mean", threshold=0.5, eps=GEO_EPS, kinds=None, values=None) -> dict:
    """Array core of :func:`overall`; arrays shaped (R, G, E). ``values`` overrides the cube's."""
    by = _as_tuple(by)
    _check(by, method)
    M, labels = membership(cube, by, kinds)
    w = indicator_weights(cube, weights)
    vals = cube.values if values is None else values
    groups = aggregate_arrays(vals, cube.asked, M, w, method, threshold, eps)
    applicable = (cube.asked.T.astype(float) @ (w[:, None] * M)) > 0  # (G, K)
    gw = group_weight_vector(labels, group_weights)
    res = combine_groups(groups["score"], applicable, gw, method, threshold, eps,
                         coverage=groups["coverage"])
    res["floored"] = res["floored"] + groups["floored"].sum(-1)
    return res


def overall(cube: Cube, by=("area",), weights=None, group_weights=None, method: str = "mean",
            threshold: float = 0.5, eps: float = GEO_EPS, kinds=None,
            regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Overall score: indicators → groups of ``by`` (the areas by default) → overall.

    Formula (MIPEX's rule with the data's weights): group score as in :func:`aggregate`
    (indicator ``weights``, default the indicators' ``weight`` column; threshold applied),
    then overall = Σ_k gw_k·s_k / Σ_k gw_k over groups with a score (``group_weights``, e.g.
    area weights from a link, default 1 each: they multiply on top of the indicator
    weights); geometric: exp of the weighted mean of ln max(s_k, eps).
    Missing data: groups without a score are dropped and the group weights rescaled.
    coverage = share of the indicator weight answered behind the score = Σ_k gw_k·coverage_k
    / Σ_k gw_k over the groups that apply, a group without a score counting 0 (see
    :func:`combine_groups`); the score is NaN
    below ``threshold``. ``n_present`` / ``n_total``: groups with a score / groups that
    apply. ``floored`` counts floored values at both levels.
    Ranks: ``rank`` among all regions (same target_group and edition; method "min", 1 =
    best, NaN score → no rank); ``rank_country`` within the region's country when
    ``regions`` (region_id, country) is given, else missing.
    Output: region_id, target_group, edition, score, coverage, n_present, n_total, floored,
    rank, rank_country — R·G·E rows.
    """
    res = overall_arrays(cube, by, weights, group_weights, method, threshold, eps, kinds)
    out = _frame(cube, res, None)
    out.attrs.update({"by": (), "groups": _as_tuple(by), "method": method,
                      "threshold": threshold, "eps": eps})
    return ranks(out, regions)
