"""Robustness of ranks to weights and aggregation, and what-if re-scoring."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from scoring.aggregate import (GEO_EPS, _as_tuple, _check, aggregate_arrays,
                               group_weight_vector, indicator_weights, membership,
                               overall_arrays)
from scoring.compare import rank_within
from scoring.values import ALL, Cube, derive

SCHEMES = ("uniform", "dirichlet")
#: Cap on draws × regions × groups held at once, so 100k regions do not exhaust memory.
_CHUNK_CELLS = 20_000_000


def draw_weights(nominal, n_draws, rng, scheme="uniform", spread=0.25, concentration=20.0):
    """Random weight vectors around ``nominal`` (shape (n_draws, len(nominal))).

    uniform: w_i · U(1 − spread, 1 + spread) independently; dirichlet: Dirichlet with
    α_i = concentration · w_i / mean(w), rescaled to the nominal total (larger
    concentration → closer to nominal). Zero nominal weights stay zero.
    """
    nominal = np.asarray(nominal, float)
    if scheme == "uniform":
        return nominal * rng.uniform(1 - spread, 1 + spread, (n_draws, nominal.size))
    if scheme != "dirichlet":
        raise ValueError(f"scheme must be one of {SCHEMES}")
    out = np.zeros((n_draws, nominal.size))
    pos = nominal > 0
    alpha = concentration * nominal[pos] / nominal[pos].mean()
    out[:, pos] = rng.dirichlet(alpha, n_draws) * nominal.sum()
    return out


def _stacked(X, WM):
    """``np.matmul(X, WM)`` for X (R, I) and WM (D, I, K) as one matrix product (R, D·K):
    NumPy's stacked matmul loops without BLAS here, 6× slower at 2,000 regions."""
    D, I, K = WM.shape
    out = X @ np.ascontiguousarray(WM.transpose(1, 0, 2)).reshape(I, D * K)
    return out.reshape(X.shape[0], D, K).transpose(1, 0, 2)


def _overall_draws(V, asked_g, M, W, GW, method, threshold, eps):
    """Overall scores (D, R) for weight draws W (D, I) and group weights GW (D, K)."""
    P = ~np.isnan(V)
    WM = W[:, :, None] * M[None]  # (D, I, K)
    if method == "mean":
        X = np.where(P, V, 0.0)
    else:
        X = np.where(P, np.log(np.maximum(np.where(P, V, eps), eps)), 0.0)
    num = _stacked(X, WM)  # (D, R, K)
    pw = _stacked(P.astype(float), WM)
    tw = np.matmul(asked_g.astype(float), WM)[:, None, :]  # (D, 1, K)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = num / pw
        cov = pw / tw
    if method == "geometric":
        s = np.exp(s)
    s = np.where((pw > 0) & (cov >= threshold - 1e-9), s, np.nan)
    app = (tw > 0) * GW[:, None, :]  # (D, 1, K) group weights of applicable groups
    ok = ~np.isnan(s)
    gpw = (ok * app).sum(-1)
    gtw = app.sum(-1)
    # coverage of the overall, as scoring.aggregate.combine_groups: Σ gw·coverage / Σ gw
    gcw = (np.where(ok, np.nan_to_num(cov), 0.0) * app).sum(-1)
    if method == "mean":
        gnum = (np.where(ok, s, 0.0) * app).sum(-1)
    else:
        gnum = (np.where(ok, np.log(np.maximum(np.where(ok, s, eps), eps)), 0.0) * app).sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        o = gnum / gpw
        gcov = gcw / gtw
    if method == "geometric":
        o = np.exp(o)
    return np.where((gpw > 0) & (gcov >= threshold - 1e-9), o, np.nan)


def robustness(cube: Cube, target_group, edition=None, *, n_draws: int = 1000, seed: int = 0,
               scheme: str = "uniform", spread: float = 0.25, concentration: float = 20.0,
               by=("area",), weights=None, group_weights=None,
               methods=("mean", "geometric"), threshold: float = 0.5, eps: float = GEO_EPS,
               kinds=None, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rank stability of the overall score under random weights and both aggregations.

    Procedure: ``n_draws`` indicator-weight vectors and group-weight vectors are drawn around
    the nominal ones (:func:`draw_weights`, seeded by ``seed``) — the nominal indicator
    weights are ``weights`` (default: the indicators' ``weight`` column, as every score
    uses), the nominal group weights ``group_weights`` (default 1); each draw is scored with
    every method in ``methods`` (mean, geometric), giving n_draws·len(methods) runs; in each
    run regions are ranked (min method, 1 = best). Per region: the nominal rank (nominal
    weights, first method), the median rank and the 5th–95th percentile rank band (whole
    ranks that occurred: see :func:`_band`).
    Missing data: as in :func:`scoring.overall` (drop and rescale, NaN below threshold); a
    region without a score in a run has no rank in that run; ``n_runs`` counts ranked runs.
    With ``regions`` (region_id, country) the same is done within each country:
    nominal_rank_country, rank_country_p05, rank_country_p95 (else missing).
    Output: region_id, target_group, edition, nominal_score, nominal_rank, median_rank,
    rank_p05, rank_p95, n_runs, nominal_rank_country, rank_country_p05, rank_country_p95 —
    one row per region.
    """
    by = _as_tuple(by)
    for m in methods:
        _check(by, m)
    g, e = cube.group_index(target_group), cube.edition_index(edition)
    M, labels = membership(cube, by, kinds)
    w0 = indicator_weights(cube, weights)
    gw0 = group_weight_vector(labels, group_weights)
    rng = np.random.default_rng(seed)
    # draws in the order of the indicator ids, not of the table's rows: the same data in
    # another row order gives the same bands
    order = np.argsort(cube.indicators["indicator_id"].to_numpy(dtype=str), kind="stable")
    W = np.empty((n_draws, len(w0)))
    W[:, order] = draw_weights(w0[order], n_draws, rng, scheme, spread, concentration)
    GW = draw_weights(gw0, n_draws, rng, scheme, spread, concentration)
    V = cube.values[:, g, e, :]
    asked_g = cube.asked[:, g]
    R = V.shape[0]
    chunk = max(1, _CHUNK_CELLS // max(1, R * M.shape[1]))
    runs = []
    for m in methods:
        for lo in range(0, n_draws, chunk):
            runs.append(_overall_draws(V, asked_g, M, W[lo:lo + chunk], GW[lo:lo + chunk], m,
                                       threshold, eps))
    S = np.concatenate(runs)  # (runs, R)
    run_keys = np.repeat(np.arange(S.shape[0]), R)
    rk = rank_within(S.ravel(), run_keys).reshape(S.shape)
    nominal = _overall_draws(V, asked_g, M, w0[None], gw0[None], methods[0], threshold, eps)[0]
    n_runs = (~np.isnan(rk)).sum(axis=0)
    med, p05, p95 = _band(rk, n_runs)
    out = pd.DataFrame({
        "region_id": cube.regions.astype(str), "target_group": target_group,
        "edition": cube.editions[e], "nominal_score": nominal,
        "nominal_rank": pd.array(rank_within(nominal)).astype("Int64"),
        "median_rank": med, "rank_p05": p05, "rank_p95": p95, "n_runs": n_runs,
    })
    c_nom = c05 = c95 = np.full(R, np.nan)
    if regions is not None:
        country = pd.Series(cube.regions.astype(str)).map(
            regions.drop_duplicates("region_id").set_index(
                regions.drop_duplicates("region_id")["region_id"].astype(str))["country"])
        codes = pd.factorize(country)[0].astype(np.int64)  # −1: no country
        width = codes.max(initial=0) + 2
        keys = run_keys * width + np.tile(codes + 1, S.shape[0])
        rkc = rank_within(S.ravel(), keys).reshape(S.shape)
        rkc[:, codes < 0] = np.nan
        _, c05, c95 = _band(rkc, (~np.isnan(rkc)).sum(axis=0))
        c_nom = rank_within(nominal, codes)
        c_nom[codes < 0] = np.nan
    out["nominal_rank_country"] = pd.array(c_nom).astype("Int64")
    out["rank_country_p05"], out["rank_country_p95"] = c05, c95
    return out


def _band(rk: np.ndarray, n_runs: np.ndarray):
    """Median and 5th/95th percentile of each column's ranks (NaN where never ranked).

    The band's ends are ranks that occurred (percentiles taken "lower" and "higher"): a
    whole-number band that holds at least 90 % of the runs, never "rank 21.4".
    """
    safe = np.where(np.isnan(rk).all(axis=0), 0.0, 1.0)  # avoid all-NaN warnings
    rk_s = np.where(safe > 0, rk, 0.0)
    # columns ranked in every run take the vectorised percentiles (the nan* functions loop
    # in Python, one column at a time); the same numbers
    full = ~np.isnan(rk_s).any(axis=0)
    stats = np.empty((3, rk.shape[1]))
    for cols, (median, pct) in ((full, (np.median, np.percentile)),
                                (~full, (np.nanmedian, np.nanpercentile))):
        if cols.any():
            with np.errstate(invalid="ignore"):
                part = rk_s[:, cols]
                stats[:, cols] = (median(part, axis=0),
                                  pct(part, 5, axis=0, method="lower"),
                                  pct(part, 95, axis=0, method="higher"))
    med, p05, p95 = (np.where(n_runs > 0, x, np.nan) for x in stats)
    return med, p05, p95


def _apply_changes(cube: Cube, r, e, changes: Mapping) -> np.ndarray:
    raw = cube.raw.copy()
    ids = list(cube.indicators["indicator_id"])
    for (indicator_id, group), new in changes.items():
        if indicator_id not in ids:
            raise ValueError(f"unknown indicator_id {indicator_id!r}")
        if group == ALL:
            raise ValueError("change TCN or BIP values; ALL is derived from them")
        i, g = ids.index(indicator_id), cube.group_index(group)
        if not cube.asked[i, g]:
            raise ValueError(f"{indicator_id} is not asked for {group}")
        if isinstance(new, str):
            amap = cube.answer_maps[i]
            if new not in amap:
                raise ValueError(f"answer {new!r} not in the answer map of {indicator_id}")
            new = amap[new]
        raw[r, g, e, i] = np.nan if new is None else float(new)
    return raw


def changed_cube(cube: Cube, region_id, changes: Mapping, edition=None) -> Cube:
    """The cube after changing some of ``region_id``'s answers or values in ``edition``
    (``changes`` as in :func:`what_if`), everything derived again (outcome normalisation,
    the ALL group) — e.g. to recompute rank bands under a what-if."""
    r, e = cube.region_index(str(region_id)), cube.edition_index(edition)
    return derive(cube, _apply_changes(cube, r, e, changes))


def what_if(cube: Cube, region_id, changes: Mapping, edition=None, *, by=("area",),
            weights=None, group_weights=None, method: str = "mean", threshold: float = 0.5,
            eps: float = GEO_EPS, kinds=None) -> pd.DataFrame:
    """Re-score one region after changing some of its answers or values.

    ``changes``: mapping (indicator_id, target_group) → answer code (str, through the answer
    map), value (number on the indicator's raw scale) or None (make it missing).
    Everything is recomputed from the changed raw values (outcome normalisation, the ALL
    group), so the result equals a full re-run of :func:`scoring.aggregate` /
    :func:`scoring.overall`. Ranks are among all regions (others unchanged), min method.
    Output: region_id, target_group, edition, level ("overall" or the ``by`` axes joined by
    " × "), group (the axis value(s), "overall" for the overall), score_old, score_new, delta,
    coverage_old, coverage_new, rank_old, rank_new — for every target group incl. ALL.
    """
    by = _as_tuple(by)
    _check(by, method)
    r, e = cube.region_index(str(region_id)), cube.edition_index(edition)
    new_cube = changed_cube(cube, region_id, changes, edition)
    M, labels = membership(cube, by, kinds)
    w = indicator_weights(cube, weights)
    names = [" × ".join(map(str, row)) for row in labels.itertuples(index=False)]
    rows = []
    for label, c in (("old", cube), ("new", new_cube)):
        grp = aggregate_arrays(c.values[:, :, e:e + 1], c.asked, M, w, method, threshold, eps)
        ov = overall_arrays(c, by, weights, group_weights, method, threshold, eps, kinds,
                            values=c.values[:, :, e:e + 1])
        s = np.concatenate([ov["score"][..., None], grp["score"]], axis=-1)[:, :, 0, :]
        cov = np.concatenate([ov["coverage"][..., None], grp["coverage"]], axis=-1)[:, :, 0, :]
        R, G, K1 = s.shape
        keys = np.broadcast_to(np.arange(G * K1).reshape(1, G, K1), s.shape).ravel()
        rk = rank_within(s.ravel(), keys).reshape(s.shape)
        rows.append((s[r], cov[r], rk[r]))
    (s0, c0, k0), (s1, c1, k1) = rows
    G, K1 = s0.shape
    groups = np.repeat(np.array(cube.groups, dtype=object), K1)
    level = np.tile(np.array(["overall"] + [" × ".join(by)] * (K1 - 1), dtype=object), G)
    group = np.tile(np.array(["overall"] + names, dtype=object), G)
    return pd.DataFrame({
        "region_id": str(region_id), "target_group": groups, "edition": cube.editions[e],
        "level": level, "group": group, "score_old": s0.ravel(), "score_new": s1.ravel(),
        "delta": (s1 - s0).ravel(), "coverage_old": c0.ravel(), "coverage_new": c1.ravel(),
        "rank_old": pd.array(k0.ravel()).astype("Int64"),
        "rank_new": pd.array(k1.ravel()).astype("Int64"),
    })
