"""Everything a default view shows, computed once per data version (issue 18).

A published version's raw tables (indicators, scores, regions…) go in; a few long, tidy
tables come out, which the store writes as Parquet files of the version and the pages read
through DuckDB (:mod:`data.query`) — one region's rows, one area's column, the top N —
instead of each process building the cube and scoring it per view. Pure: pandas and NumPy,
no Streamlit, no file I/O.

The numbers are those of the scoring functions the pages use with default weights
(:mod:`ui.profile`: ``overall_table``, ``rank_bands``, ``axis_table``, ``similar_regions``,
``priority_table``): the same array cores (:func:`scoring.aggregate.aggregate_arrays`,
:func:`scoring.aggregate.combine_groups`, :func:`scoring.compare.rank_within`,
:func:`scoring.robustness`), applied to one target group × edition at a time so memory stays
bounded at 100,000 units. What is per region and O(regions²) on a page — peer means without
the region itself, nearest neighbours — is vectorised here; ``tests/test_results.py``
checks the figures against the page functions.

Tables (every one has ``framework``, the index the indicators belong to — a store may hold
MIPEX-R's regional framework and MIPEX's national one):

- ``res_scores``: region_id, target_group, edition, axis (overall, area, phase, system,
  area×phase), key, key2 (the second axis value of a pair), score, coverage, n_present,
  n_total — for every region × target group × edition with data.
- ``res_ranks``: the Overview's table: overall, rank, rank_low, rank_high (the rank band),
  n (regions ranked), coverage, areas_scored, areas_total, rank_country (+ band).
- ``res_peers``: target_group, edition, peer_set ("all" or a country code), axis, key, mean,
  total, n — a region's peer mean without itself is (total − own) / (n − 1).
- ``res_similar``: region_id, …, other_id, distance, n_common, position (the ``N_SIMILAR``
  nearest, as :func:`scoring.peers` "similar" ranks them).
- ``res_priorities``: region_id, …, peer_set ("all" or "country"), area, score, coverage,
  peer_mean, n_peers, shortfall, position (order of :func:`scoring.priorities`' sort),
  priority, order, reason.
- ``res_outcomes``: the policy–outcome pairs (:func:`scoring.policy_outcome_gap`) of every
  catalogue measure with a breakdown (reference and migrant group) and a policy area of
  the framework, for the units with their own figures: region_id, …, measure, area,
  policy_score, outcome_gap, both values and flags, year, quadrant. The region page's
  parent-region proxy and "no breakdown" measures stay view rules.

Rules that change with scale (stated, not hidden): rank bands use ``band_draws`` weight
draws (1,000 up to 200 units, 300 up to ``BAND_FULL_MAX``, ``BAND_DRAWS_LARGE`` above);
similar units are searched among all units up to ``SIMILAR_POOL_MAX`` units, above that
within the unit's country, and in a country larger than that within the unit's parent
region (a municipality is compared with its province's municipalities).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import numpy as np
import pandas as pd

from scoring.aggregate import (aggregate_arrays, combine_groups, group_weight_vector,
                               indicator_weights, membership)
from scoring.compare import _SHORTFALL_EPS, rank_within
from scoring.robustness import robustness
from scoring.values import Cube, prepare

#: The framework of an indicator that names none (data.schema.DEFAULT_FRAMEWORK; kept here
#: so this module does not import the data layer).
DEFAULT_FRAMEWORK = "MIPEX-R"
#: Axes and pairs stored in ``res_scores`` (those the indicators have values for).
AXES = (("area",), ("phase",), ("system",), ("area", "phase"))
N_SIMILAR = 10
N_PRIORITIES = 3
#: Above this many units the rank bands use fewer draws (memory and minutes at publish).
BAND_FULL_MAX = 20_000
BAND_DRAWS_LARGE = 50
#: Above this many units similar units are searched within the unit's country.
SIMILAR_POOL_MAX = 5_000
#: Pools larger than this find neighbour candidates by matrix products (then exact).
_EXPAND_MIN = 256
#: Cells (rows × pool × areas) of one distance block: bounds memory of the neighbour search.
_BLOCK_CELLS = 4_000_000

#: Column types of each results table (str, int, float, bool): the store writes them with
#: this schema whatever a chunk holds, so chunks of a large version append to one file.
SCHEMAS: dict[str, dict[str, str]] = {
    "res_scores": {"framework": "str", "region_id": "str", "target_group": "str",
                   "edition": "int", "axis": "str", "key": "str", "key2": "str",
                   "score": "float", "coverage": "float", "n_present": "int",
                   "n_total": "int"},
    "res_ranks": {"framework": "str", "region_id": "str", "target_group": "str",
                  "edition": "int", "overall": "float", "rank": "int", "rank_low": "int",
                  "rank_high": "int", "n": "int", "coverage": "float", "areas_scored": "int",
                  "areas_total": "int", "rank_country": "int", "rank_country_low": "int",
                  "rank_country_high": "int", "country": "str"},
    "res_peers": {"framework": "str", "target_group": "str", "edition": "int",
                  "peer_set": "str", "axis": "str", "key": "str", "mean": "float",
                  "total": "float", "n": "int"},
    "res_similar": {"framework": "str", "region_id": "str", "target_group": "str",
                    "edition": "int", "other_id": "str", "distance": "float",
                    "n_common": "int", "position": "int"},
    "res_priorities": {"framework": "str", "region_id": "str", "target_group": "str",
                       "edition": "int", "peer_set": "str", "area": "str", "score": "float",
                       "coverage": "float", "peer_mean": "float", "n_peers": "int",
                       "shortfall": "float", "position": "int", "priority": "bool",
                       "order": "int", "reason": "str"},
    "res_outcomes": {"framework": "str", "region_id": "str", "target_group": "str",
                     "edition": "int", "measure": "str", "area": "str",
                     "policy_score": "float", "policy_coverage": "float",
                     "outcome_gap": "float", "value_reference": "float",
                     "value_migrant": "float", "flag_reference": "str",
                     "flag_migrant": "str", "flag_gap": "str", "year": "int",
                     "quadrant": "str"},
}
NAMES = tuple(SCHEMAS)


def band_draws(n_units: int) -> int:
    """Weight draws behind the rank bands: as the pages (1,000; 300 above 200 units), and
    ``BAND_DRAWS_LARGE`` above ``BAND_FULL_MAX`` units, where 300 draws × 2 methods of
    100,000 ranks would hold gigabytes."""
    if n_units <= 200:
        return 1000
    return 300 if n_units <= BAND_FULL_MAX else BAND_DRAWS_LARGE


def frameworks_of(indicators: pd.DataFrame) -> pd.Series:
    """Each indicator's framework (an empty one is the default), as data.schema.framework_of."""
    if "framework" not in indicators.columns:
        return pd.Series(DEFAULT_FRAMEWORK, index=indicators.index, dtype=object)
    fw = indicators["framework"].astype(object).where(indicators["framework"].notna(), "")
    fw = fw.map(lambda v: str(v).strip())
    return fw.where(fw != "", DEFAULT_FRAMEWORK)


def isin_fast(series: pd.Series, values) -> np.ndarray:
    """``series.isin(values)`` through the column's distinct values: a 24M-row string column
    is hashed once in C (factorize) instead of compared one Python object per row."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    wanted = set(map(str, values))
    hit = np.fromiter((str(u) in wanted for u in uniques), bool, len(uniques))
    return np.append(hit, False)[codes]  # code −1 (missing) → the appended False


def split_frameworks(tables: dict) -> Iterator[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """(framework, its indicators, their scores) — as ``ui.state`` splits a version."""
    ind, scores = tables["indicators"], tables["scores"]
    fws = frameworks_of(ind)
    found = sorted(set(fws))
    if len(found) <= 1:
        yield (found[0] if found else DEFAULT_FRAMEWORK), ind, scores
        return
    for fw in found:
        keep = (fws == fw).to_numpy()
        sub = ind[keep].reset_index(drop=True)
        mask = isin_fast(scores["indicator_id"], sub["indicator_id"].astype(str))
        yield fw, sub, scores[mask].reset_index(drop=True)


def compute(tables: dict) -> dict[str, pd.DataFrame]:
    """All results tables of a version's raw ``tables`` (small and medium stores; a large
    one is written chunk by chunk from :func:`iter_results`)."""
    parts = defaultdict(list)
    for name, frame in iter_results(tables):
        parts[name].append(frame)
    return {name: (pd.concat(parts[name], ignore_index=True) if parts[name]
                   else empty(name)) for name in NAMES}


def empty(name: str) -> pd.DataFrame:
    return typed(name, pd.DataFrame({c: [] for c in SCHEMAS[name]}))


_PANDAS = {"str": "str", "int": "Int64", "float": "float64", "bool": "bool"}


def typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the table's columns in order and types."""
    cols = SCHEMAS[name]
    return frame.reindex(columns=list(cols)).astype({c: _PANDAS[t] for c, t in cols.items()})


def iter_results(tables: dict) -> Iterator[tuple[str, pd.DataFrame]]:
    """(table name, chunk) pairs: one framework × target group × edition at a time, so a
    100,000-unit version never holds more than one slice's results at once."""
    regions = tables["regions"]
    rid = regions["region_id"].astype(str)
    country_of = pd.Series(regions["country"].astype(object).to_numpy(),
                           index=rid.to_numpy()).groupby(level=0).first()
    parent_of = pd.Series(regions["parent_id"].astype(object).to_numpy(),
                          index=rid.to_numpy()).groupby(level=0).first()
    for fw, ind, scores in split_frameworks(tables):
        if ind.empty or scores.empty:
            continue
        # the pages' cube is prepared with regions= the scored regions, which adds none:
        # the same cube without that argument (and without its 24M-row isin)
        cube = prepare(ind, scores)
        yield from _framework_results(fw, cube, regions, country_of, parent_of,
                                      tables.get("outcomes"), tables.get("measures"))


def _framework_results(fw: str, cube: Cube, regions: pd.DataFrame, country_of: pd.Series,
                       parent_of: pd.Series, outcomes=None, measures=None):
    R = len(cube.regions)
    ids = cube.regions.astype(str)
    pairs_seen: dict = {}  # (measure, edition) → its outcome pairs: the same for every group
    country = pd.Series(ids).map(country_of).to_numpy(dtype=object)
    c_codes = pd.factorize(pd.Series(country, dtype=object))[0].astype(np.int64)
    p_codes = pd.factorize(pd.Series(ids).map(parent_of))[0].astype(np.int64)
    w = indicator_weights(cube, None)
    policy = (cube.indicators["kind"] != "outcome").to_numpy()
    area_M, area_labels = membership(cube, ("area",))
    axes = [(by, *membership(cube, by)) for by in AXES
            if all(cube.indicators[a].astype(str).ne("").any() for a in by)]
    draws = band_draws(R)
    for g, group in enumerate(cube.groups):
        asked = cube.asked[:, g:g + 1]
        for e, edition in enumerate(cube.editions):
            V = cube.values[:, g:g + 1, e:e + 1, :]
            has = np.isfinite(V[:, 0, 0][:, policy]).any(axis=-1)  # (R,) units with data
            if not has.any():
                continue
            base = {"framework": fw, "target_group": str(group), "edition": int(edition)}
            keep = np.flatnonzero(has)
            # ---- areas and overall (as scoring.overall, default weights)
            ar = aggregate_arrays(V, asked, area_M, w)
            applicable = (asked.T.astype(float) @ (w[:, None] * area_M)) > 0
            gw = group_weight_vector(area_labels, None)
            ov = combine_groups(ar["score"], applicable, gw, coverage=ar["coverage"])
            o_score = ov["score"][:, 0, 0]
            # ---- res_scores
            yield "res_scores", _scores_rows(base, ids, keep, "overall", None, None,
                                             {k: v[:, 0, 0] for k, v in ov.items()})
            for by, M, labels in axes:
                arr = ar if by == ("area",) else aggregate_arrays(V, asked, M, w)
                yield "res_scores", _axis_rows(base, ids, keep, by, labels, arr)
            # ---- res_ranks (the Overview's table)
            rank = rank_within(o_score)
            rc = rank_within(o_score, c_codes)
            rc[c_codes < 0] = np.nan
            bands = robustness(cube, group, edition, n_draws=draws,
                               regions=regions.assign(region_id=regions["region_id"].astype(str)))
            yield "res_ranks", typed("res_ranks", pd.DataFrame({
                **base, "region_id": ids[keep], "overall": o_score[keep], "rank": rank[keep],
                "rank_low": bands["rank_p05"].to_numpy(float)[keep],
                "rank_high": bands["rank_p95"].to_numpy(float)[keep],
                "n": int(np.isfinite(o_score).sum()),
                "coverage": ov["coverage"][:, 0, 0][keep],
                "areas_scored": ov["n_present"][:, 0, 0][keep],
                "areas_total": ov["n_total"][:, 0, 0][keep],
                "rank_country": rc[keep],
                "rank_country_low": bands["rank_country_p05"].to_numpy(float)[keep],
                "rank_country_high": bands["rank_country_p95"].to_numpy(float)[keep],
                "country": country[keep]}))
            # ---- res_peers, res_priorities, res_similar on the area scores
            S = ar["score"][:, 0, 0, :]  # (R, K)
            area_names = area_labels["area"].astype(str).to_numpy(dtype=object)
            yield "res_peers", _peer_rows(base, ov, ar, axes, V, asked, w, country, c_codes,
                                          area_names)
            yield "res_priorities", _priority_rows(base, ids, keep, S, ar["coverage"][:, 0, 0, :],
                                                   area_names, c_codes)
            yield "res_similar", _similar_rows(base, ids, keep, S, c_codes, p_codes)
            if outcomes is not None and len(outcomes) and measures is not None:
                yield "res_outcomes", _outcome_rows(base, ids, keep, S, ar["coverage"][:, 0, 0, :],
                                                    area_names, outcomes, measures, pairs_seen)


def _scores_rows(base, ids, keep, axis, key, key2, arr) -> pd.DataFrame:
    return typed("res_scores", pd.DataFrame({
        **base, "region_id": ids[keep], "axis": axis, "key": key or "", "key2": key2,
        "score": arr["score"][keep], "coverage": arr["coverage"][keep],
        "n_present": arr["n_present"][keep], "n_total": arr["n_total"][keep]}))


def _axis_rows(base, ids, keep, by, labels, arr) -> pd.DataFrame:
    K = len(labels)
    n = len(keep)
    key = labels[by[0]].astype(str).to_numpy(dtype=object)
    key2 = labels[by[1]].astype(str).to_numpy(dtype=object) if len(by) > 1 else None

    def flat(a):
        return np.ascontiguousarray(np.broadcast_to(a, a.shape)[keep, 0, 0, :]).reshape(-1)

    return typed("res_scores", pd.DataFrame({
        **base, "region_id": np.repeat(ids[keep], K), "axis": "×".join(by),
        "key": np.tile(key, n), "key2": np.tile(key2, n) if key2 is not None else None,
        "score": flat(arr["score"]), "coverage": flat(arr["coverage"]),
        "n_present": flat(arr["n_present"]), "n_total": flat(arr["n_total"])}))


def _peer_rows(base, ov, ar, axes, V, asked, w, country, c_codes, area_names) -> pd.DataFrame:
    """Mean, total and count of the scores of every peer set ("all", each country) on every
    single axis and the overall — a region's peer mean without itself follows from them."""
    frames = []
    cols = [("overall", np.array([""], dtype=object), ov["score"][:, 0, 0][:, None])]
    for by, M, labels in axes:
        if len(by) != 1:
            continue
        arr = ar if by == ("area",) else aggregate_arrays(V, asked, M, w)
        cols.append((by[0], labels[by[0]].astype(str).to_numpy(dtype=object),
                     arr["score"][:, 0, 0, :]))
    n_c = int(c_codes.max(initial=-1)) + 1
    names = pd.Series(country).groupby(c_codes).first() if n_c else pd.Series(dtype=object)
    for axis, keys, S in cols:
        P = np.isfinite(S)
        X = np.where(P, S, 0.0)
        sets = [("all", X.sum(0)[None], P.sum(0)[None])]
        if n_c:
            ok = c_codes >= 0
            tot = np.zeros((n_c, S.shape[1]))
            cnt = np.zeros((n_c, S.shape[1]))
            np.add.at(tot, c_codes[ok], X[ok])
            np.add.at(cnt, c_codes[ok], P[ok])
            sets.append((np.array([str(names[i]) for i in range(n_c)], dtype=object), tot, cnt))
        for label, tot, cnt in sets:
            m = tot.shape[0]
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
            frames.append(pd.DataFrame({
                **base, "peer_set": label if isinstance(label, str) else
                np.repeat(np.asarray(label, dtype=object), len(keys)),
                "axis": axis, "key": np.tile(keys, m),
                "mean": mean.reshape(-1), "total": tot.reshape(-1),
                "n": cnt.reshape(-1).astype(np.int64)}))
    return typed("res_peers", pd.concat(frames, ignore_index=True))


def _priority_rows(base, ids, keep, S, C, area_names, c_codes) -> pd.DataFrame:
    """:func:`scoring.priorities` for every region at once, against "all" other regions and
    the other regions of its "country": peer sums without the region itself, then the same
    sort (largest shortfall first; ties: lower own score, then the area's name)."""
    R, K = S.shape
    P = np.isfinite(S)
    X = np.where(P, S, 0.0)
    frames = []
    peer_sets = [("all", np.broadcast_to(X.sum(0), S.shape), np.broadcast_to(P.sum(0), S.shape))]
    if (c_codes >= 0).any():
        n_c = int(c_codes.max()) + 1
        tot = np.zeros((n_c + 1, K))
        cnt = np.zeros((n_c + 1, K))
        np.add.at(tot, c_codes + 1, X)  # row 0: units without a country (no country peers)
        np.add.at(cnt, c_codes + 1, P)
        tot[0], cnt[0] = 0.0, 0.0
        peer_sets.append(("country", tot[c_codes + 1], cnt[c_codes + 1]))
    name_rank = np.argsort(np.argsort(area_names.astype(str), kind="stable"), kind="stable")
    Sk, Ck, Pk = S[keep], C[keep], P[keep]
    n = len(keep)
    for label, tot, cnt in peer_sets:
        t_own = tot[keep] - np.where(Pk, Sk, 0.0)
        n_own = cnt[keep] - Pk
        with np.errstate(invalid="ignore", divide="ignore"):
            peer_mean = np.where(n_own > 0, t_own / np.maximum(n_own, 1), np.nan)
        gap = Sk - peer_mean
        gap_key = np.where(np.isnan(gap), np.inf, gap)
        score_key = np.where(np.isnan(Sk), np.inf, Sk)
        row = np.repeat(np.arange(n), K)
        order = np.lexsort((np.tile(name_rank, n), score_key.ravel(), gap_key.ravel(), row))
        col = order % K  # the area of each sorted slot, region by region
        r_sorted = row  # slots are region-major after the sort (row is the primary key)
        g_s, s_s = gap.ravel()[order], Sk.ravel()[order]
        pm_s = peer_mean.ravel()[order]
        is_short = g_s < -_SHORTFALL_EPS
        cum = np.cumsum(is_short.reshape(n, K), axis=1).ravel()
        chosen = is_short & (cum <= N_PRIORITIES)
        reason = np.select([np.isnan(s_s), np.isnan(pm_s), chosen, is_short],
                           ["no_score", "no_peer_score", "below_peers",
                            "below_peers_not_chosen"], default="at_or_above_peers")
        frames.append(typed("res_priorities", pd.DataFrame({
            **base, "region_id": ids[keep][r_sorted], "peer_set": label,
            "area": area_names[col], "score": s_s, "coverage": Ck.ravel()[order],
            "peer_mean": pm_s, "n_peers": n_own.ravel()[order].astype(np.int64),
            "shortfall": -g_s, "position": np.tile(np.arange(1, K + 1), n),
            "priority": chosen, "order": np.where(chosen, cum, np.nan), "reason": reason})))
    return pd.concat(frames, ignore_index=True)


def _split(text) -> list[str]:
    """``"a; b"`` → ["a", "b"] (data.schema.split_list's rule)."""
    if text is None or (isinstance(text, float) and text != text) or text is pd.NA:
        return []
    return [p.strip() for p in str(text).split(";") if p.strip()]


def _outcome_rows(base, ids, keep, S, C, area_names, outcomes, measures,
                  pairs_seen: dict | None = None) -> pd.DataFrame:
    """:func:`scoring.policy_outcome_gap` for each measure of the catalogue that compares two
    groups and names an area of this framework (its first such area, as the region page
    links a measure to an area), over the units with data."""
    from scoring.outcome import _outcome_pairs as outcome_pairs
    from scoring.outcome import policy_outcome_gap

    by_fold = {str(a).casefold(): str(a) for a in area_names}
    have = set(outcomes["measure"].dropna().astype(str))
    n, K = len(keep), len(area_names)
    table = pd.DataFrame({"region_id": np.repeat(ids[keep], K),
                          "target_group": base["target_group"], "edition": base["edition"],
                          "area": np.tile(area_names.astype(str), n),
                          "score": S[keep].reshape(-1), "coverage": C[keep].reshape(-1)})
    table.attrs["by"] = ("area",)
    frames = []
    for m in measures.to_dict("records"):
        code = str(m.get("measure"))
        ref, mig = m.get("reference_group"), m.get("migrant_group")
        if code not in have or not _split(ref) or not _split(mig):
            continue
        area = next((by_fold[a.casefold()] for a in _split(m.get("areas"))
                     if a.casefold() in by_fold), None)
        if area is None:
            continue
        d = pd.to_numeric(pd.Series([m.get("direction")]), errors="coerce").fillna(1).iloc[0]
        key = (code, str(ref), str(mig), base["edition"])
        if pairs_seen is None or key not in pairs_seen:
            pairs = outcome_pairs(outcomes[outcomes["measure"].astype(str) == code], code,
                                  str(ref), str(mig), None, base["edition"])
            if pairs_seen is not None:
                pairs_seen[key] = pairs
        res = policy_outcome_gap(table, None, area, target_group=base["target_group"],
                                 edition=base["edition"], measure=code,
                                 reference_group=str(ref), migrant_group=str(mig),
                                 direction=int(d), pairs=pairs_seen[key] if pairs_seen
                                 is not None else pairs)
        res = res[res["region_id"].isin(set(ids[keep])) & res["outcome_gap"].notna()]
        frames.append(res.assign(measure=code, **base))
    if not frames:
        return empty("res_outcomes")
    return typed("res_outcomes", pd.concat(frames, ignore_index=True))


def _pools(R: int, c_codes: np.ndarray, p_codes: np.ndarray) -> list[np.ndarray]:
    """Where each unit's neighbours are searched: every unit up to ``SIMILAR_POOL_MAX``
    (5,000) units; above, the unit's country, and within a country still larger than that the
    unit's parent (a municipality among its province's municipalities)."""
    if R <= SIMILAR_POOL_MAX:
        return [np.arange(R)]
    pools = []
    for c in np.unique(c_codes):
        members = np.flatnonzero(c_codes == c)
        if len(members) <= SIMILAR_POOL_MAX or c < 0:
            pools.append(members)
            continue
        parents = p_codes[members]
        pools += [members[parents == p] for p in np.unique(parents)]
    return pools


def _similar_rows(base, ids, keep, S, c_codes, p_codes=None, k: int = N_SIMILAR
                  ) -> pd.DataFrame:
    """The ``k`` nearest units of each unit with data (Euclidean over the area scores both
    have, as :func:`scoring.distances`; nearest first, ties by id; no common area → never
    similar), searched in blocks so memory stays bounded (:func:`_pools` says among whom).
    Large pools (above ``_EXPAND_MIN``) rank with three matrix products (Σ over common areas
    of (a − b)² = A²·Pb + Pa·B² − 2A·B), squared distances compared to 1e-6 (closer ones
    count as a tie, broken by id), then compute the chosen neighbours' distances exactly as
    :func:`scoring.distances` does."""
    R, K = S.shape
    p_codes = np.full(R, -1) if p_codes is None else p_codes
    want = np.zeros(R, bool)
    want[keep] = True
    out_src, out_dst, out_d, out_n, out_pos = [], [], [], [], []
    for pool in _pools(R, c_codes, p_codes):
        mat = S[pool]
        free = np.isfinite(mat)
        m = len(pool)
        rows = np.flatnonzero(want[pool])
        if not len(rows):
            continue
        big = m > _EXPAND_MIN
        if big:  # Σ_common (a − b)² and the common count, each as one matrix product
            Pf = free.astype(float)
            A = np.where(free, mat, 0.0)
            left = np.hstack([A * A, Pf, -2.0 * A])
            right = np.hstack([Pf, A * A, A]).T.copy()
            PfT = Pf.T.copy()
        step = max(1, _BLOCK_CELLS // max(1, m * (1 if big else K)))
        for lo in range(0, len(rows), step):
            blk = rows[lo:lo + step]
            if big:
                # candidates by matrix products; order by (distance to 1e-6, id) through one
                # int64 key (unique, so argpartition needs no tie rule), exact figures after
                ok = (Pf[blk] @ PfT) > 0.5  # some area in common
                ok[np.arange(len(blk)), blk] = False  # never its own neighbour
                sq = left[blk] @ right
                np.maximum(sq, 0.0, out=sq)
                sq *= 1e6
                key = np.rint(sq, out=sq).astype(np.int64)
                key *= m
                key += np.arange(m)[None, :]
                key[~ok] = np.iinfo(np.int64).max
                kk = min(k, m)
                part = np.argpartition(key, kk - 1, axis=1)[:, :kk]
                part = np.take_along_axis(part, np.argsort(np.take_along_axis(key, part, 1),
                                                           axis=1), 1)
                valid = np.take_along_axis(ok, part, 1)
                common = free[part] & free[blk][:, None, :]
                nc = common.sum(axis=2)
                d = np.sqrt(np.where(common, (mat[part] - mat[blk][:, None, :]) ** 2, 0.0)
                            .sum(axis=2))
                for i, row in enumerate(blk):
                    v = valid[i]
                    _emit(out_src, out_dst, out_d, out_n, out_pos, pool, row, part[i][v],
                          d[i][v], nc[i][v])
                continue
            own = mat[blk][:, None, :]
            common = free[None, :, :] & free[blk][:, None, :]
            sq = np.where(common, (mat[None, :, :] - own) ** 2, 0.0).sum(axis=2)
            n_common = common.sum(axis=2)
            dist = np.where(n_common > 0, np.sqrt(sq), np.nan)
            dist[np.arange(len(blk)), blk] = np.nan  # never its own neighbour
            key = np.where(np.isnan(dist), np.inf, dist)
            order = np.argsort(key, axis=1, kind="stable")[:, :k]
            for i, row in enumerate(blk):
                o = order[i][np.isfinite(key[i, order[i]])]
                _emit(out_src, out_dst, out_d, out_n, out_pos, pool, row, o, dist[i, o],
                      n_common[i, o])
    if not out_src:
        return empty("res_similar")
    cat = np.concatenate
    return typed("res_similar", pd.DataFrame({
        **base, "region_id": ids[cat(out_src)], "other_id": ids[cat(out_dst)],
        "distance": cat(out_d), "n_common": cat(out_n), "position": cat(out_pos)}))


def _emit(out_src, out_dst, out_d, out_n, out_pos, pool, row, cols, dist, n_common):
    out_src.append(np.full(len(cols), pool[row]))
    out_dst.append(pool[cols])
    out_d.append(dist)
    out_n.append(n_common)
    out_pos.append(np.arange(1, len(cols) + 1))
