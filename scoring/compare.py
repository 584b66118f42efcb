"""Ranks, peer groups, gaps, edition changes, strengths and weaknesses.

Functions here take the long tables made by :mod:`scoring.aggregate` (so a page can rank
or compare whatever it has just shown), or the cube when indicator-level detail is needed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.aggregate import (GEO_EPS, _as_tuple, _check, _frame, aggregate_arrays,
                               indicator_weights, membership, overall_arrays)
from scoring.ranks import _key_codes, axis_columns, rank_within, ranks  # noqa: F401  (their home)
from scoring.values import Cube

PEER_GROUPS = ("all", "country", "list", "similar")


def _slice(table, target_group, edition):
    """Rows of one target group and edition (None → the latest edition in the table)."""
    t = table[table["target_group"] == target_group]
    if edition is None:
        edition = t["edition"].max()
    return t[t["edition"] == edition], edition


def _matrix(table: pd.DataFrame, axis: str):
    """region × axis-value score matrix from a long table (one target group and edition)."""
    r_codes, r_labels = pd.factorize(table["region_id"].astype(str))
    a_codes, a_labels = pd.factorize(table[axis].astype(str))
    mat = np.full((len(r_labels), len(a_labels)), np.nan)
    mat[r_codes, a_codes] = table["score"].to_numpy(float)
    return np.asarray(r_labels, dtype=object), np.asarray(a_labels, dtype=object), mat


def distances(table: pd.DataFrame, region_id, target_group, edition=None) -> pd.DataFrame:
    """Euclidean distance between ``region_id``'s profile and every other region's.

    Formula: d = sqrt(Σ_{a common} (s_ra − s_pa)²) over the groups (e.g. areas) scored for
    both regions; ``n_common`` says how many. Missing data: groups missing for either are
    ignored; no common group → distance NaN.
    Inputs: a single-axis aggregate table (e.g. by area).
    Output: region_id, distance, n_common for every other region, nearest first.
    """
    axis = axis_columns(table)
    if len(axis) != 1:
        raise ValueError("distances need a table aggregated along exactly one axis")
    t, _ = _slice(table, target_group, edition)
    labels, _, mat = _matrix(t, axis[0])
    hit = np.flatnonzero(labels == str(region_id))
    if hit.size == 0:
        raise KeyError(f"region {region_id!r} not in the table")
    own = mat[hit[0]]
    common = ~np.isnan(mat) & ~np.isnan(own)
    sq = np.where(common, (mat - own) ** 2, 0.0).sum(axis=1)
    n_common = common.sum(axis=1)
    dist = np.where(n_common > 0, np.sqrt(sq), np.nan)
    out = pd.DataFrame({"region_id": labels, "distance": dist, "n_common": n_common})
    out = out[out["region_id"] != str(region_id)]
    return out.sort_values(["distance", "region_id"], na_position="last").reset_index(drop=True)


def peers(table: pd.DataFrame, region_id, how: str = "all", *, target_group, edition=None,
          regions: pd.DataFrame | None = None, ids=None, k: int = 5) -> pd.DataFrame:
    """The peer group of a region.

    ``how``: "all" (every other region), "country" (same country; needs ``regions``),
    "list" (the region_ids in ``ids``), "similar" (the ``k`` regions with the smallest
    Euclidean distance over the table's group scores, see :func:`distances`; ties broken by
    region_id; regions with no common group are never similar).
    The region itself is never its own peer. Output: region_id, distance, n_common (the
    distance is reported for every peer group, not only "similar").
    """
    if how not in PEER_GROUPS:
        raise ValueError(f"how must be one of {PEER_GROUPS}")
    d = distances(table, region_id, target_group, edition)
    if how == "all":
        return d
    if how == "similar":
        return d[d["distance"].notna()].head(k).reset_index(drop=True)
    if how == "country":
        if regions is None:
            raise ValueError("peer group 'country' needs the regions table")
        country = regions.set_index(regions["region_id"].astype(str))["country"]
        own = country.get(str(region_id))
        keep = d["region_id"].map(country).eq(own).fillna(False).to_numpy(bool)
        return d[keep].reset_index(drop=True)
    if ids is None:
        raise ValueError("peer group 'list' needs ids")
    wanted = {str(i) for i in ids}
    return d[d["region_id"].isin(wanted)].reset_index(drop=True)


def gaps(table: pd.DataFrame, region_id, peer_ids=None, target=None) -> pd.DataFrame:
    """Gaps of one region against the best performer, a peer group and a target value.

    Formula, per target_group × edition × axis value: gap_best = score − best (≤ 0; best
    among all regions in ``table``, ``best_region`` lists the best region(s), ";"-joined on
    ties); gap_peers = score − mean of the peers' scores (peers in ``peer_ids``, the region
    itself excluded; ``n_peers`` with a score); gap_target = score − ``target`` (a number, or
    a mapping axis value → number; missing → NaN).
    Missing data: NaN scores are ignored in best and peer mean; a NaN score gives NaN gaps.
    Output: region_id, target_group, edition, <axis columns>, score, coverage, best_score,
    best_region, gap_best, peer_mean, n_peers, gap_peers, target, gap_target.
    """
    axis = axis_columns(table)
    keys = ["target_group", "edition", *axis]
    t = table[["region_id", *keys, "score", *(["coverage"] if "coverage" in table else [])]]
    # Vectorised over the key groups (one pass of NumPy instead of merges and groupbys on
    # categoricals): every page asks for gaps several times per view.
    rid = t["region_id"].astype(str).to_numpy(dtype=object)
    score = t["score"].to_numpy(dtype=float, na_value=np.nan)
    combined = np.zeros(len(t), np.int64)
    for c in keys:
        codes, uniques = pd.factorize(t[c], use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + codes
    _, kc = np.unique(combined, return_inverse=True)
    K = int(kc.max()) + 1 if len(kc) else 0
    present = ~np.isnan(score)
    best = np.full(K, -np.inf)
    np.maximum.at(best, kc[present], score[present])
    best[np.isinf(best)] = np.nan
    tops = present & (score == best[kc])
    best_region = np.full(K, None, dtype=object)
    for k in np.unique(kc[tops]):
        best_region[k] = ";".join(sorted(rid[tops & (kc == k)]))
    wanted = {str(i) for i in (peer_ids if peer_ids is not None else [])} - {str(region_id)}
    # a hash lookup (pandas), not np.isin: on object arrays that sorts Python strings, 0.1 s
    # per call for 1,000 peers among 1,000 regions
    is_peer = present & pd.Series(rid).isin(wanted).to_numpy(bool)
    n_peers = np.bincount(kc[is_peer], minlength=K)
    total = np.bincount(kc[is_peer], weights=score[is_peer], minlength=K)
    with np.errstate(invalid="ignore", divide="ignore"):
        peer_mean = np.where(n_peers > 0, total / np.maximum(n_peers, 1), np.nan)
    own = rid == str(region_id)
    ko = kc[own]
    out = t[own].assign(region_id=rid[own]).reset_index(drop=True)
    out["best_score"] = best[ko]
    out["best_region"] = best_region[ko]
    out["gap_best"] = out["score"] - out["best_score"]
    out["peer_mean"] = peer_mean[ko]
    out["n_peers"] = n_peers[ko].astype("int64")
    out["gap_peers"] = out["score"] - out["peer_mean"]
    if isinstance(target, dict):
        out["target"] = out[axis[0]].astype(object).map(target).astype(float) if axis \
            else np.nan
    else:
        out["target"] = np.nan if target is None else float(target)
    out["gap_target"] = out["score"] - out["target"]
    out.attrs["by"] = tuple(axis)
    return out


def profile(table: pd.DataFrame, region_id, target_group, edition=None, *,
            regions: pd.DataFrame | None = None, peer_list=None, k: int = 5,
            target=None) -> pd.DataFrame:
    """One region's scores with gaps against every peer group at once.

    Same numbers as :func:`gaps` against each peer group of :func:`peers` — "all",
    "country" (when ``regions`` given), "list" (when ``peer_list`` given) and "similar"
    (``k`` nearest) — computed on one region × group matrix, so a page gets it in
    milliseconds. One target group and edition (None → latest); single-axis table.
    Output: region_id, target_group, edition, <axis>, score, best_score, best_region,
    gap_best, peer_mean, n_peers, gap_peers, target, gap_target, peer_group.
    """
    axis = axis_columns(table)
    if len(axis) != 1:
        raise ValueError("profile needs a table aggregated along exactly one axis")
    t, edition = _slice(table, target_group, edition)
    labels, a_labels, mat = _matrix(t, axis[0])
    hit = np.flatnonzero(labels == str(region_id))
    if hit.size == 0:
        raise KeyError(f"region {region_id!r} not in the table")
    r = hit[0]
    own = mat[r]
    common = ~np.isnan(mat) & ~np.isnan(own)
    n_common = common.sum(axis=1)
    dist = np.where(n_common > 0, np.sqrt(np.where(common, (mat - own) ** 2, 0.0).sum(1)),
                    np.nan)
    others = np.arange(len(labels)) != r
    groups = {"all": others}
    if regions is not None:
        country = regions.set_index(regions["region_id"].astype(str))["country"]
        c = pd.Series(labels).map(country).to_numpy(dtype=object)
        groups["country"] = others & (c == country.get(str(region_id)))
    if peer_list is not None:
        groups["list"] = others & np.isin(labels, np.asarray([str(p) for p in peer_list],
                                                            dtype=object))
    cand = np.flatnonzero(others & ~np.isnan(dist))
    # nearest first, ties by region_id, as in distances()
    nearest = cand[np.lexsort((labels[cand].astype(str), dist[cand]))][:k]
    groups["similar"] = np.isin(np.arange(len(labels)), nearest)
    any_score = ~np.all(np.isnan(mat), axis=0)
    best = np.where(any_score, np.nanmax(np.where(np.isnan(mat), -np.inf, mat), axis=0), np.nan)
    is_best = mat == best
    best_region = [";".join(sorted(labels[is_best[:, j]])) or None for j in range(len(a_labels))]
    tgt = (pd.Series(a_labels).map(target).astype(float).to_numpy() if isinstance(target, dict)
           else np.full(len(a_labels), np.nan if target is None else float(target)))
    blocks = []
    for name, mask in groups.items():
        pv = mat[mask]
        n_peers = (~np.isnan(pv)).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            pm = np.where(n_peers > 0, np.nansum(pv, axis=0) / n_peers, np.nan)
        blocks.append(pd.DataFrame({
            "region_id": str(region_id), "target_group": target_group, "edition": edition,
            axis[0]: a_labels, "score": own, "best_score": best, "best_region": best_region,
            "gap_best": own - best, "peer_mean": pm, "n_peers": n_peers, "gap_peers": own - pm,
            "target": tgt, "gap_target": own - tgt, "peer_group": name}))
    out = pd.concat(blocks, ignore_index=True)
    out.attrs["by"] = tuple(axis)
    return out


def tcn_bip_gap(table: pd.DataFrame, first: str = "TCN", second: str = "BIP") -> pd.DataFrame:
    """Gap between two target groups for every region, edition and axis value.

    Formula: gap = score[first] − score[second] (positive: more favourable for ``first``).
    Missing data: either score NaN → gap NaN.
    Output: region_id, edition, <axis columns>, score_<first>, score_<second>, gap.
    """
    keys = ["region_id", "edition", *axis_columns(table)]
    a = table[table["target_group"] == first][keys + ["score"]]
    b = table[table["target_group"] == second][keys + ["score"]]
    a = a.assign(region_id=a["region_id"].astype(str))
    b = b.assign(region_id=b["region_id"].astype(str))
    out = a.merge(b, on=keys, how="outer", suffixes=(f"_{first}", f"_{second}"))
    out["gap"] = out[f"score_{first}"] - out[f"score_{second}"]
    return out


def edition_change(cube: Cube, by=("area",), edition_from=None, edition_to=None, *,
                   weights=None, group_weights=None, method: str = "mean",
                   threshold: float = 0.5, eps: float = GEO_EPS, kinds=None) -> pd.DataFrame:
    """Change of every aggregate between two editions, flagged when not comparable.

    Formula: change = score(edition_to) − score(edition_from), scores as in
    :func:`scoring.aggregate` (``by`` axes) or :func:`scoring.overall` (``by=None``: the
    overall over areas). ``comparable`` is False when the set of non-missing indicators behind
    the aggregate differs between the two editions (an indicator added, dropped or newly
    missing) — then the change mixes method and reality. Defaults: the two latest editions.
    Missing data: NaN score in either edition → change NaN.
    Output: region_id, target_group, <axis columns>, edition_from, edition_to, score_from,
    score_to, change, coverage_from, coverage_to, comparable.
    """
    eds = list(cube.editions)
    e1 = cube.edition_index(edition_to)
    e0 = cube.edition_index(edition_from) if edition_from is not None else max(e1 - 1, 0)
    w = indicator_weights(cube, weights)
    if by is None:
        res = overall_arrays(cube, ("area",), weights, group_weights, method, threshold, eps,
                             kinds)
        res = {k: v[..., None] for k, v in res.items()}
        M, labels = membership(cube, (), kinds)
    else:
        by = _as_tuple(by)
        _check(by, method)
        M, labels = membership(cube, by, kinds)
        res = aggregate_arrays(cube.values, cube.asked, M, w, method, threshold, eps)
    P = ~np.isnan(cube.values)
    changed = (P[:, :, e0, :] != P[:, :, e1, :]).astype(float) @ M  # (R, G, K)
    arrays = {
        "edition_from": np.full(changed.shape, eds[e0]),
        "edition_to": np.full(changed.shape, eds[e1]),
        "score_from": res["score"][:, :, e0], "score_to": res["score"][:, :, e1],
        "change": res["score"][:, :, e1] - res["score"][:, :, e0],
        "coverage_from": res["coverage"][:, :, e0], "coverage_to": res["coverage"][:, :, e1],
        "comparable": changed == 0,
    }
    arrays = {k: v[:, :, None, :] for k, v in arrays.items()}
    out = _frame(cube, arrays, labels if by else None, editions=[eds[e1]])
    out = out.drop(columns="edition")
    out.attrs["by"] = () if by is None else by
    return out


def strengths_weaknesses(cube: Cube, region_id, peer_ids, target_group, edition=None,
                         n: int = 3, kinds=None) -> pd.DataFrame:
    """A region's top and bottom indicators relative to its peers.

    Formula: diff_i = v_ri − mean_{p∈peers, v_pi present} v_pi. Strengths: the ``n`` largest
    positive diffs; weaknesses: the ``n`` most negative (so a region ahead everywhere has no
    weaknesses). Missing data: an indicator missing for the region, or for every peer, has
    no diff and is never listed.
    Output: indicator_id, label, area, phase, system, value, peer_mean, n_peers, diff, type
    ("strength"/"weakness"), order (1 = most marked) — at most 2·n rows.
    """
    r = cube.region_index(str(region_id))
    g = cube.group_index(target_group)
    e = cube.edition_index(edition)
    idx = [cube.region_index(str(p)) for p in peer_ids if str(p) != str(region_id)]
    own = cube.values[r, g, e, :]
    pv = cube.values[idx, g, e, :]
    n_peers = (~np.isnan(pv)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        peer_mean = np.where(n_peers > 0, np.nansum(pv, axis=0) / n_peers, np.nan)
    diff = own - peer_mean
    meta = cube.indicators
    keep = np.ones(len(meta), bool) if kinds is None else meta["kind"].isin(kinds).to_numpy()
    base = meta[["indicator_id", "label", "area", "phase", "system"]].assign(
        value=own, peer_mean=peer_mean, n_peers=n_peers, diff=diff)[keep]
    top = base[base["diff"] > 0].sort_values(["diff", "indicator_id"],
                                             ascending=[False, True]).head(n)
    bottom = base[base["diff"] < 0].sort_values(["diff", "indicator_id"]).head(n)
    top = top.assign(type="strength", order=np.arange(1, len(top) + 1))
    bottom = bottom.assign(type="weakness", order=np.arange(1, len(bottom) + 1))
    return pd.concat([top, bottom], ignore_index=True)


#: What :func:`priorities` says about each area (``reason``), one code per case.
PRIORITY_REASONS = ("below_peers", "below_peers_not_chosen", "at_or_above_peers", "no_score",
                    "no_peer_score")
#: A shortfall smaller than this is float noise, not a shortfall (scores are on 0–100).
_SHORTFALL_EPS = 1e-9


def priorities(table: pd.DataFrame, region_id, peer_ids, target_group, edition=None,
               n: int = 3) -> pd.DataFrame:
    """What a region should work on first: its priority areas, and why — the one rule every
    page uses (profile, brief, workshop, the Integration Lab's "practices for my gaps").

    Rule: the priority areas are the (up to) ``n`` values of the table's axis (areas) where
    the region falls furthest **below the mean of its peer group** (``gap_peers`` =
    score − peer mean < 0, as in :func:`gaps`); ties are broken by the lower own score, then
    by name. An area where the region is at or above its peers is never a priority, so a
    region ahead of its peers everywhere has none.
    Reasons (``reason``): "below_peers" (a priority, ``order`` 1…n), "below_peers_not_chosen"
    (below its peers but not among the ``n`` largest shortfalls), "at_or_above_peers",
    "no_score" (the region has no score there), "no_peer_score" (no peer has one).
    Inputs: a single-axis aggregate table (e.g. ``aggregate(cube, by="area")``), the peers'
    region ids (the region itself is left out), one target group and edition (None → the
    latest). Missing data: a missing own or peer score gives no gap and no priority.
    Output: one row per axis value — <axis>, score, coverage, peer_mean, n_peers, gap_peers,
    shortfall (= −gap_peers, points below the peers), best_score, best_region, priority
    (bool), order (Int64, 1 = first priority), reason — priorities first (in order), then
    the other areas by gap.
    """
    axis = axis_columns(table)
    if len(axis) != 1:
        raise ValueError("priorities need a table aggregated along exactly one axis")
    t, edition = _slice(table, target_group, edition)
    g = gaps(t, region_id, peer_ids)
    a = axis[0]
    g = g.assign(**{a: g[a].astype(str)})
    g = g.assign(_gap=g["gap_peers"].fillna(np.inf), _score=g["score"].fillna(np.inf))
    g = g.sort_values(["_gap", "_score", a]).reset_index(drop=True)
    rank = g["gap_peers"] < -_SHORTFALL_EPS  # sorted: every shortfall comes first
    order = rank.cumsum().where(rank)
    chosen = rank & (order <= n)
    reason = np.select(
        [g["score"].isna(), g["peer_mean"].isna(), chosen, rank],
        ["no_score", "no_peer_score", "below_peers", "below_peers_not_chosen"],
        default="at_or_above_peers")
    out = g.assign(shortfall=-g["gap_peers"], priority=chosen.to_numpy(bool),
                   order=pd.array(order.where(chosen), dtype="Int64"), reason=reason)
    cols = [a, "score", "coverage", "peer_mean", "n_peers", "gap_peers", "shortfall",
            "best_score", "best_region", "priority", "order", "reason"]
    out = out[[c for c in cols if c in out.columns]].reset_index(drop=True)
    out.attrs["by"] = (a,)
    out.attrs["rule"] = "largest shortfall against the peer-group mean; ties: lower own score"
    return out


def regions_with_data(cube: Cube, target_group, edition) -> list:
    """The regions with at least one answered policy indicator for a target group in an
    edition, in cube order — the places a page can open on without "no data"."""
    g, e = cube.group_index(target_group), cube.edition_index(edition)
    policy = (cube.indicators["kind"] != "outcome").to_numpy()
    answered = np.isfinite(cube.values[:, g, e][:, policy]).any(axis=-1)  # (R,)
    return [r.item() if hasattr(r, "item") else r for r in cube.regions[answered]]


def editions_with_data(cube: Cube, region_id, target_group) -> list:
    """The editions in which a region has at least one answered indicator for a target
    group, oldest first — e.g. MIPEX's 2024 column, published for some countries only.
    Pages use it to say which edition to open when the one in view has no score."""
    r, g = cube.region_index(region_id), cube.group_index(target_group)
    policy = (cube.indicators["kind"] != "outcome").to_numpy()
    answered = np.isfinite(cube.values[r, g][:, policy]).any(axis=-1)  # (E,)
    return [e.item() if hasattr(e, "item") else e for e in cube.editions[answered]]
