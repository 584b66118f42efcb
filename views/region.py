"""The Region profile's model: one region against its peers (radar), its policy cycle, its
strengths and weaknesses, its change, its outcomes, similar regions and the indicators —
pure (no Streamlit), see :mod:`views.common`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import scoring
from data.schema import EUROSTAT_FLAGS, answer_option_texts, split_list
from ui.i18n import N_, column_title, data_column, t
from views.common import (COMPARED, N_SIMILAR, area_order, axis_table, labelled, peer_ids,
                          weight_text)

def radar_frame(table: pd.DataFrame, region: str, peers: list[str], group, edition,
                names: dict[str, str]) -> pd.DataFrame:
    """Long frame for the radar/bars: the region, its peer group's mean, the best performer.


    Numbers are :func:`scoring.gaps` (score, peer_mean, best_score) for each value of the
    table's axis. Output: <axis>, series, score, coverage (region's), n_peers, best_region.
    """
    axis = scoring.compare.axis_columns(table)[0]
    g = scoring.gaps(table[(table["target_group"] == group) & (table["edition"] == edition)],
                     region, peer_ids=peers)
    own, peer, best = names.get(region, region), t("Peer-group mean"), t("Best performer")
    parts = [
        g[[axis, "score", "coverage"]].assign(series=own),
        g[[axis, "peer_mean", "n_peers"]].rename(columns={"peer_mean": "score"}).assign(series=peer),
        g[[axis, "best_score", "best_region"]].rename(columns={"best_score": "score"})
        .assign(series=best),
    ]
    out = pd.concat(parts, ignore_index=True)
    out[axis] = out[axis].astype(str)
    out["best_region"] = out["best_region"].map(
        lambda s: "; ".join(names.get(x, x) for x in split_list(s)) if isinstance(s, str) else s)
    return out[[axis, "series", "score", "coverage", "n_peers", "best_region"]]


def radar_table(radar: pd.DataFrame, axis: str) -> pd.DataFrame:
    """The radar's numbers side by side: one row per axis value, one column per series,
    plus the region's coverage and the best region(s) — the chart's text alternative."""
    wide = radar.pivot_table(index=axis, columns="series", values="score", sort=False,
                             dropna=False, aggfunc="first")
    series = radar["series"].drop_duplicates().tolist()
    wide = wide.reindex(columns=series).reset_index()
    wide.columns.name = None
    own = radar[radar["series"] == series[0]].set_index(axis)
    best = radar[radar["series"] == series[-1]].set_index(axis)
    wide[t("Coverage")] = wide[axis].map(own["coverage"]).astype(float)
    wide[t("Best region")] = wide[axis].map(best["best_region"])
    return wide.rename(columns={axis: column_title(axis)})


def cycle_heatmap(cube: scoring.Cube, region: str, group, edition,
                  table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Area × phase scores of one region, with ``weakest``: the lowest phase(s) of each area.


    A tie marks every tied phase; an area with fewer than two scored phases marks none
    (nothing to compare). Output: area, phase, score, coverage, n_present, n_total, weakest.
    """
    h = axis_table(cube, ("area", "phase")) if table is None else table  # the version's
    h = h[(h["region_id"] == region) & (h["target_group"] == group) & (h["edition"] == edition)]
    h = h[["area", "phase", "score", "coverage", "n_present", "n_total"]].copy()
    h["area"], h["phase"] = h["area"].astype(str), h["phase"].astype(str)
    low = h.groupby("area")["score"].transform("min")
    n_scored = h.groupby("area")["score"].transform("count")
    h["weakest"] = (h["score"] == low) & (n_scored >= 2)
    return h.reset_index(drop=True)


def _edition_change(cube: scoring.Cube, by, edition) -> pd.DataFrame:
    return scoring.edition_change(cube, by=by, edition_to=edition)


def change_table(cube: scoring.Cube, region: str, group, edition, changes=None
                 ) -> pd.DataFrame | None:
    """Change since the previous edition, overall and by area (:func:`scoring.edition_change`).


    ``status`` says "not comparable" when the set of indicators behind the number changed
    between editions, "no data" when either score is missing. None when ``edition`` is the
    first one. ``changes``: :func:`_edition_change` overall and by area, if computed already.
    """
    eds = list(cube.editions)
    if edition not in eds or eds.index(edition) == 0:
        return None
    # ``changes``: (overall, by area) of every region, when the caller has them for the version
    total, by_area = changes if changes is not None else (
        _edition_change(cube, None, edition), _edition_change(cube, ("area",), edition))
    keep = ["area", "edition_from", "edition_to", "score_from", "score_to", "change",
            "coverage_from", "coverage_to", "comparable"]
    total = total.assign(area=t("Overall"))
    out = pd.concat([total, by_area], ignore_index=True)
    out = out[(out["region_id"].astype(str) == region) & (out["target_group"] == group)]
    out = out.assign(area=out["area"].astype(str))[keep].reset_index(drop=True)
    status = np.where(out["change"].isna(), t("no data"),
                      np.where(out["comparable"], t("comparable"), t("not comparable")))
    out["status"] = status
    return out


def flag_meaning(flag) -> str | None:
    """Eurostat flags ("u", "bu") → "u: low reliability; b: break in time series"."""
    if flag is None or (isinstance(flag, float) and np.isnan(flag)) or flag is pd.NA:
        return None
    text = str(flag).strip()
    if not text:
        return None
    return "; ".join(f"{c}: {t(EUROSTAT_FLAGS.get(c, N_('unknown flag')))}" for c in text)


#: How a gap's two groups are said on screen (keys: :func:`scoring.comparison`).
GROUP_WORDS = {"nationals": N_("nationals"), "native-born": N_("native-born residents"),
               "all residents": N_("all residents"), "non-EU citizens": N_("non-EU citizens"),
               "non-EU-born": N_("non-EU-born residents"),
               "foreign citizens": N_("foreign citizens"), "foreign-born": N_("foreign-born residents"),
               "EU citizens": N_("EU citizens"), "EU-born": N_("EU-born residents")}


def measure_catalogue(measures: pd.DataFrame | None, outcomes: pd.DataFrame | None
                      ) -> pd.DataFrame:
    """The outcome measures that have figures, as the catalogue describes them, in the
    catalogue's order (``position``, then label). A measure with figures but no catalogue
    entry (data published before the catalogue existed) is described as an import would
    (:func:`data.measures.suggest`)."""
    from data.measures import suggest
    from data.schema import empty_frame


    if outcomes is None or outcomes.empty:
        return empty_frame("measures")
    cat = measures if measures is not None else empty_frame("measures")
    have = set(outcomes["measure"].dropna().astype(str))
    missing = have - set(cat["measure"].dropna().astype(str))
    if missing:
        extra = suggest(outcomes[outcomes["measure"].isin(missing)])
        cat = pd.concat([cat, extra.astype({"direction": "Int64", "position": "Int64"})],
                        ignore_index=True)
    cat = cat[cat["measure"].astype(str).isin(have)]
    cat = cat.assign(direction=pd.to_numeric(cat["direction"], errors="coerce").fillna(1)
                     .astype(int))
    return cat.sort_values(["position", "label", "measure"], na_position="last",
                           kind="stable").reset_index(drop=True)


def measure_areas(row) -> list[str]:
    return split_list(row.get("areas") if hasattr(row, "get") else row["areas"])


def default_measure(catalogue: pd.DataFrame, areas: list[str], area: str | None = None
                    ) -> str | None:
    """The measure shown first: the first (in catalogue order) linked to ``area`` — the area
    in view — or, without one, to any of the framework's ``areas``; else the first."""
    if catalogue.empty:
        return None
    wanted = [area] if area else list(areas)
    for want in wanted:
        for m, linked in zip(catalogue["measure"], catalogue["areas"]):
            if want.casefold() in {a.casefold() for a in split_list(linked)}:
                return str(m)
    return str(catalogue["measure"].iloc[0])


def linked_area(measure_row, areas: list[str]) -> str | None:
    """The framework's area a measure speaks to (the first of its areas the framework has)."""
    by_fold = {a.casefold(): a for a in areas}
    return next((by_fold[a.casefold()] for a in measure_areas(measure_row)
                 if a.casefold() in by_fold), None)


def comparison_words(measure_row) -> tuple[str, str] | None:
    """(reference, migrant) in words, e.g. ("all residents", "non-EU-born residents")."""
    pair = scoring.comparison(measure_row.get("basis"), measure_row.get("reference_group"),
                              measure_row.get("migrant_group"))
    if pair is None:
        return None
    return tuple(t(GROUP_WORDS[w]) if w in GROUP_WORDS else str(w) for w in pair)


def _is_missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v == ""


def outcome_gap(table: pd.DataFrame, outcomes: pd.DataFrame, catalogue: pd.DataFrame,
                regions: pd.DataFrame, region: str, group, edition, measure: str | None = None,
                area: str | None = None) -> dict | None:
    """The policy–outcome gap of one region for one measure of the catalogue, with the
    parent region's figures as a proxy.


    Numbers: :func:`scoring.policy_outcome_gap` on the area table for the measure's linked
    area (or ``area``), comparing the catalogue's reference and migrant groups, the year
    paired with the edition by :func:`scoring.pair_year`, the gap's flag by
    :func:`scoring.combined_flag`. ``measure`` None: :func:`default_measure`. When the
    region has no figure for the measure (Skåne, NUTS-3), its parent's are used and
    ``proxy`` names the parent. Returns None when neither has figures; else a dict with
    the row (``row``: one-row DataFrame), ``proxy``, ``proxy_name``, ``area``, ``edition``,
    ``measure`` (the catalogue row as a dict), ``migrant_years`` (years in which the
    migrant group has a figure) and ``status``: "gap", "no migrant figure", "no reference
    figure" or "no breakdown" (a measure for everyone).
    """
    if outcomes is None or outcomes.empty or catalogue.empty:
        return None
    areas = sorted(map(str, table["area"].dropna().unique()))
    measure = measure or default_measure(catalogue, areas)
    found = catalogue[catalogue["measure"].astype(str) == measure]
    if found.empty:
        return None
    info = found.iloc[0].to_dict()
    area = area or linked_area(info, areas)
    rows = outcomes[outcomes["measure"] == measure]
    has = set(rows.loc[rows["value"].notna(), "region_id"].astype(str))
    proxy = None
    if region not in has:
        parent = regions.set_index(regions["region_id"].astype(str))["parent_id"].get(region)
        if isinstance(parent, str) and parent in has:
            proxy = parent
        elif region not in set(rows["region_id"].astype(str)):
            return None
    src = rows[rows["region_id"].astype(str) == (proxy or region)].assign(region_id=region)
    ref_group, mig_group = info.get("reference_group"), info.get("migrant_group")
    status = "gap"
    if _is_missing(mig_group):  # no breakdown: the figure for everyone, as the migrant side
        status, ref_group = "no breakdown", None
        groups = set(src["group"].dropna().astype(str))
        mig_group = "TOTAL" if "TOTAL" in groups else (sorted(groups)[0] if groups else "TOTAL")
    res = scoring.policy_outcome_gap(
        table, src, area if area is not None else "", target_group=group, edition=edition,
        measure=measure, reference_group=ref_group, migrant_group=mig_group,
        direction=int(info.get("direction") or 1))
    row = res[res["region_id"] == region].copy()
    if row.empty:
        return None
    r0 = row.iloc[0]
    if status == "gap" and pd.isna(r0["value_migrant"]):
        status = "no migrant figure"
    elif status == "gap" and pd.isna(r0["value_reference"]):
        status = "no reference figure"
    mig_rows = src[(src["group"] == mig_group) & src["value"].notna()]
    names = regions.set_index(regions["region_id"].astype(str))["name"]
    row["outcome_region"] = proxy or region
    for side in ("reference", "migrant", "gap"):
        row[f"flag_{side}_meaning"] = row[f"flag_{side}"].map(flag_meaning)
    cols = ["area", "policy_score", "policy_coverage", "value_reference", "flag_reference",
            "flag_reference_meaning", "value_migrant", "flag_migrant", "flag_migrant_meaning",
            "outcome_gap", "flag_gap", "flag_gap_meaning", "year", "unit", "source",
            "outcome_region"]
    row["area"] = area
    info.update(reference_group=ref_group, migrant_group=mig_group)
    return {"row": row[cols].reset_index(drop=True), "proxy": proxy, "edition": edition,
            "proxy_name": names.get(proxy) if proxy else None, "area": area,
            "measure": info, "status": status,
            "migrant_years": sorted(int(y) for y in mig_rows["year"].dropna().unique())}


def measure_list(catalogue: pd.DataFrame) -> pd.DataFrame:
    """The measure catalogue as the Methodology page shows it: what each measure compares,
    in words, its direction and its policy areas."""
    comp = []
    for row in catalogue.to_dict("records"):
        words = comparison_words(row)
        comp.append(t("{a} vs {b}", a=words[0], b=words[1]) if words else
                    t("no breakdown (no gap)"))
    return pd.DataFrame({
        t("Measure"): catalogue["label"].astype(str), t("Code"): catalogue["measure"].astype(str),
        t("Compares"): comp,
        t("Groups"): [f"{r or '–'} / {m or '–'}" for r, m in zip(
            catalogue["reference_group"].fillna(""), catalogue["migrant_group"].fillna(""))],
        t("Better when"): [t("higher") if int(d) == 1 else t("lower")
                           for d in catalogue["direction"]],
        t("Policy areas"): catalogue["areas"].fillna("").map(lambda s: ", ".join(split_list(s))),
        t("Unit"): catalogue["unit"].fillna(""), t("Source"): catalogue["source"].fillna(""),
    })


def gap_unit(unit) -> str:
    """A gap between two rates in % is in percentage points."""
    text = "" if _is_missing(unit) else str(unit)
    return t("pp") if text in ("%", "PC") else text


def outcome_text(res: dict) -> str:
    """The panel's explanation in words: what is compared, which year, what the sign means,
    and — for an empty series — that Eurostat publishes it empty (and its flag)."""
    m, row = res["measure"], res["row"].iloc[0]
    label = str(m.get("label") or m.get("measure"))
    year = row["year"]
    parts = []
    words = comparison_words(m)
    if res["status"] == "no breakdown" or words is None:
        parts.append(t("{m}: a figure for the whole population; the data has no breakdown by "
                       "citizenship or country of birth, so there is no gap.", m=label))
    else:
        ref, mig = words
        worse = t("lower") if int(m.get("direction") or 1) == 1 else t("higher")
        parts.append(t("{m}: {mig} ({mg}) compared with {ref} ({rg}). The gap is positive when "
                       "{mig} do worse (a {worse} rate).", m=label, mig=mig, ref=ref,
                       mg=m.get("migrant_group"), rg=m.get("reference_group"), worse=worse))
    if pd.notna(year):
        rule = (t("the nearest year not after the {e} edition", e=res["edition"])
                if res["edition"] is not None and int(year) <= int(res["edition"]) else
                t("the nearest year to the {e} edition (none before it)", e=res["edition"]))
        parts.append(t("Outcome year {y}: {rule}; policy scores are from the {e} edition.",
                       y=int(year), rule=rule, e=res["edition"]))
    if res["status"] == "no migrant figure" and words is not None:
        flag = row["flag_migrant"]
        flagged = "" if _is_missing(flag) else t(" (flag {m})", m=flag_meaning(flag))
        if not res["migrant_years"]:
            parts.append(t("Eurostat publishes no figure for {mig} here in any year: the series "
                           "is empty{flagged}. No gap can be computed; this is not a 0.",
                           mig=words[1], flagged=flagged))
        else:
            parts.append(t("Eurostat publishes no figure for {mig} in {y}{flagged}; no gap can "
                           "be computed for that year.", mig=words[1], y=int(year) if
                           pd.notna(year) else "", flagged=flagged))
    if res["status"] == "no reference figure" and words is not None:
        parts.append(t("No figure for {ref} in this year; no gap can be computed.",
                       ref=words[0]))
    if not _is_missing(row["flag_gap"]):
        parts.append(t("The gap carries every flag of its two figures: {f}.",
                       f=flag_meaning(row["flag_gap"])))
    if res["area"] is None:
        parts.append(t("The catalogue links this measure to no policy area of this index, so "
                       "no policy score is shown beside it."))
    return " ".join(parts)


def outcome_rows(res: dict) -> pd.DataFrame:
    """The policy–outcome gap as a short vertical table: one row per figure, with its
    Eurostat flag and what the flag means, the year, the source and whose figures they are."""
    row, m = res["row"].iloc[0], res["measure"]
    whose = row["outcome_region"] + (" (" + t("proxy") + ")" if res["proxy"] else "")
    label = str(m.get("label") or m.get("measure"))
    words = comparison_words(m)
    unit = "" if _is_missing(m.get("unit")) else f" ({m.get('unit')})"
    figures = [(t("Policy score: {a}", a=res["area"]) if res["area"] else t("Policy score"),
                row["policy_score"], None, None)]
    if words is None or res["status"] == "no breakdown":
        figures.append((f"{label}{unit}, {m.get('migrant_group')}", row["value_migrant"],
                        row["flag_migrant"], row["flag_migrant_meaning"]))
    else:
        ref, mig = words
        direction = int(m.get("direction") or 1)
        first, second = ((m.get("reference_group"), m.get("migrant_group")) if direction == 1
                         else (m.get("migrant_group"), m.get("reference_group")))
        figures += [
            (f"{label}{unit}: {ref} ({m.get('reference_group')})", row["value_reference"],
             row["flag_reference"], row["flag_reference_meaning"]),
            (f"{label}{unit}: {mig} ({m.get('migrant_group')})", row["value_migrant"],
             row["flag_migrant"], row["flag_migrant_meaning"]),
            (t("Gap, {unit} ({a} − {b})", unit=gap_unit(m.get("unit")) or t("difference"),
               a=first, b=second), row["outcome_gap"], row["flag_gap"],
             row["flag_gap_meaning"]),
        ]
    out = pd.DataFrame(figures, columns=[t("Figure"), t("Value"), t("Flag"), t("Flag means")])
    out[t("Value")] = out[t("Value")].astype(float)
    # no flag is not missing data: an empty flag reads "–"
    for c in (t("Flag"), t("Flag means")):
        out[c] = out[c].map(lambda v: "–" if _is_missing(v) else str(v))
    n = len(figures) - 1
    out[t("Year")] = pd.array([res.get("edition", pd.NA)] + [row["year"]] * n, dtype="Int64")
    source = "" if _is_missing(row["source"]) else str(row["source"])
    out[t("Source")] = [t("policy scores")] + [source] * n
    out[t("Figures of")] = [row["outcome_region"] if not res["proxy"] else ""] + [whose] * n
    return out


def similar_regions(table: pd.DataFrame, region: str, group, edition,
                    names: dict[str, str], k: int = N_SIMILAR) -> pd.DataFrame:
    """The ``k`` regions with the most similar profile (Euclidean distance over the axis
    scores, :func:`scoring.peers` "similar"), with their overall score along the axis."""
    p = scoring.peers(table, region, "similar", target_group=group, edition=edition, k=k)
    return p.assign(name=p["region_id"].map(lambda r: names.get(r, r)))[
        ["region_id", "name", "distance", "n_common"]]


def strengths(cube: scoring.Cube, region: str, peers: list[str], group, edition,
              n: int = 3) -> pd.DataFrame:
    """Top/bottom indicators against the peer mean (:func:`scoring.strengths_weaknesses`)."""
    sw = scoring.strengths_weaknesses(cube, region, peers, group, edition, n=n)
    return sw[["type", "order", "indicator_id", "label", "area", "phase", "value", "peer_mean",
               "n_peers", "diff"]]


def drilldown(cube: scoring.Cube, indicators: pd.DataFrame, scores: pd.DataFrame,
              region: str, group, edition, area: str | None = None) -> pd.DataFrame:
    """Indicator by indicator: question, answer, value, note and source of one region.


    ``value`` is the cube's value (for "ALL": the TCN/BIP mean); answers, notes and sources
    come from the scores table (for "ALL", both groups' answers, "TCN: A · BIP: B").
    Indicators asked but not answered appear with value NaN ("no data"), never 0.
    """
    r = cube.region_index(region)
    g = cube.group_index(group)
    e = cube.edition_index(edition)
    meta = cube.indicators[["indicator_id", "label", "area", "phase"]].copy()
    meta["value"] = cube.values[r, g, e, :]
    meta["weight"] = [weight_text(w) for w in cube.indicators["weight"].to_numpy(float)]
    meta["asked"] = cube.asked[:, g]
    q = indicators.set_index(indicators["indicator_id"].astype(str))["question"]
    meta["question"] = meta["indicator_id"].map(q)
    for field in ("label", "question"):  # the interface language's text, if the data has it
        meta[field] = data_column(meta, field, indicators)
    s = scores[(scores["region_id"].astype(str) == region) & (scores["edition"] == edition)]
    groups = [group] if group != scoring.ALL else [x for x in cube.groups if x != scoring.ALL]
    s = s[s["target_group"].isin(groups)]


    def joined(col):
        if len(groups) == 1:
            return s.set_index("indicator_id")[col]
        parts = s.dropna(subset=[col]).assign(
            _t=lambda d: d["target_group"].astype(str) + ": " + d[col].astype(str))
        return parts.groupby("indicator_id")["_t"].agg(" · ".join)


    for col in ("answer", "note", "source"):
        meta[col] = meta["indicator_id"].map(joined(col))
    # what the answer means, where the data has the answer options as published
    if "answer_options" in indicators.columns and indicators["answer_options"].notna().any():
        texts = {str(i): answer_option_texts(o) for i, o in
                 zip(indicators["indicator_id"], indicators["answer_options"])}
        meta["answer_means"] = [texts.get(i, {}).get(str(a)) if isinstance(a, str) else None
                                for i, a in zip(meta["indicator_id"], meta["answer"])]
    else:
        meta["answer_means"] = None
    # no note is not missing data; a column without any note is all-NaN floats, so go
    # through object before putting text in it
    meta["note"] = meta["note"].astype(object).where(meta["note"].notna(), "–")
    # a value given directly (no answer code) is not missing data either
    meta["answer"] = meta["answer"].astype(object).where(
        meta["answer"].notna() | meta["value"].isna(), "–")
    meta = meta[meta["asked"]]
    if area:
        meta = meta[meta["area"].astype(str) == area]
    return meta[["indicator_id", "area", "phase", "label", "question", "answer", "answer_means",
                 "value", "weight", "note", "source"]].reset_index(drop=True)


def similar_from_results(stored: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """:func:`similar_regions` on the area scores from the results stored with the version
    (:meth:`data.query.Reader.similar`): the same rows and columns (tests/test_read_path.py)."""
    ids = stored["region_id"].astype(str)
    return pd.DataFrame({"region_id": ids.to_numpy(),
                         "name": [names.get(r, r) for r in ids],
                         "distance": stored["distance"].astype(float).to_numpy(),
                         "n_common": stored["n_common"].astype("int64").to_numpy()})


def similar_shown(table, region, group, edition, labels, axis, sim=None) -> pd.DataFrame:
    """:func:`similar_regions` as shown (labelled columns); ``sim``: found already (from the
    stored results)."""
    if sim is None:
        sim = similar_regions(table, region, group, edition, labels)
    return labelled(sim, {"region_id": N_("Region code"), "name": N_("Region"),
                                 "distance": N_("Distance"),
                                 "n_common": COMPARED.get(axis, N_("Values compared"))})


def drilldown_shown(cube, indicators, scores, region, group, edition, area=None) -> pd.DataFrame:
    """:func:`drilldown` as shown (labelled columns)."""


    frame = drilldown(cube, indicators, scores, region, group, edition, area)
    names = {"indicator_id": N_("Indicator"), "area": N_("Area"), "phase": N_("Phase"),
             "question": N_("Question"), "answer": N_("Answer"),
             "answer_means": N_("Answer means"), "value": N_("Value"), "weight": N_("Weight"),
             "note": N_("Note"), "source": N_("Source")}
    if frame["answer_means"].isna().all():  # no answer options in the data: no empty column
        names.pop("answer_means")
    return labelled(frame, names)


def radar_compact(wide: pd.DataFrame, series: list[str]) -> pd.DataFrame:
    """The radar's table narrow enough to stand next to it: short series names, no best
    region (its name is in the chart's tooltip and the bars view)."""
    return wide.drop(columns=[t("Best region")]).rename(columns={
        series[0]: series[0].rsplit("(", 1)[-1].rstrip(")") or series[0],
        t("Peer-group mean"): t("Peers"), t("Best performer"): t("Best")})


def strengths_shown(cube, region, peers, group, edition, indicators) -> pd.DataFrame:
    """:func:`strengths` as shown: translated type and indicator label, labelled columns."""


    sw = strengths(cube, region, peers, group, edition)
    if sw.empty:
        return sw
    sw = sw.assign(type=sw["type"].map({"strength": t("strength"), "weakness": t("weakness")}),
                   label=data_column(sw, "label", indicators))
    return labelled(sw, {"type": N_("Type"), "label": N_("Indicator"), "area": N_("Area"),
                                "value": N_("Value"), "peer_mean": N_("Peer mean"),
                                "diff": N_("Difference")})


def change_shown(cube, region, group, edition, changes=None) -> pd.DataFrame | None:
    """:func:`change_table` as shown (labelled; the score columns named by edition)."""


    ch = change_table(cube, region, group, edition, changes)
    if ch is None:
        return None
    return labelled(ch, {"area": N_("Area"), "score_from": N_("Score (from)"),
                                "score_to": N_("Score (to)"), "change": N_("Change"),
                                "status": N_("Comparable?")}).rename(columns={
        t("Score (from)"): t("Score {e}", e=ch["edition_from"][0]),
        t("Score (to)"): t("Score {e}", e=ch["edition_to"][0])})


def outcome_options(catalogue: pd.DataFrame, outcomes: pd.DataFrame, regions: pd.DataFrame,
                    region: str) -> list[str]:
    """The catalogue's measures with figures for ``region`` (or, as a proxy, its parent)."""
    if catalogue.empty or outcomes is None or outcomes.empty:
        return []
    parent = regions.set_index(regions["region_id"].astype(str))["parent_id"].get(region)
    places = {region} | ({parent} if isinstance(parent, str) else set())
    here = set(outcomes.loc[outcomes["region_id"].astype(str).isin(places), "measure"]
               .astype(str))
    return [str(m) for m in catalogue["measure"] if str(m) in here]


def outcome_choice(catalogue: pd.DataFrame, outcomes, regions, region: str, areas: list[str],
                   area: str | None = None) -> tuple[list[str], str | None]:
    """The panel's list of measures for ``region`` and the one shown first (the page and
    the warmer both get it from :func:`ui.profile.region_outcome_choice`, so they agree)."""
    options = outcome_options(catalogue, outcomes, regions, region)
    shown = catalogue[catalogue["measure"].astype(str).isin(options)]
    return options, default_measure(shown, areas, area) if options else None


def heat_table(cube: scoring.Cube, region: str, group, edition,
               table: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The policy-cycle heatmap's frame (:func:`cycle_heatmap`) and the table shown beside
    it: (heat, shown). ``table``: the version's area × phase aggregates, if computed."""
    heat = cycle_heatmap(cube, region, group, edition, table)
    shown = labelled(heat, {
        "area": N_("Area"), "phase": N_("Phase"), "score": N_("Score"),
        "coverage": N_("Coverage"), "n_present": N_("Indicators with a value"),
        "n_total": N_("Indicators asked"), "weakest": N_("Weakest phase of the area")})
    return heat, shown


@dataclass(frozen=True)
class RegionModel:
    """The frames of a Region profile's default sections (read-only, shared)."""

    headline: list
    peers: list
    radar: pd.DataFrame
    radar_wide: pd.DataFrame
    heat: pd.DataFrame
    strengths: pd.DataFrame
    change: pd.DataFrame | None
    similar: pd.DataFrame
    drilldown: pd.DataFrame
    outcome: dict | None
    practices: dict


def model(tabs: dict, cube: scoring.Cube, region: str, group, edition, axis: str = "area",
          mode: str = "all", peer_list=(), weights: dict | None = None,
          area: str | None = None, measure: str | None = None) -> RegionModel:
    """Everything a Region profile shows for one view, computed from the tables and the
    cube (the page computes the same sections one by one, cached: :mod:`ui.profile`)."""
    from views.common import headline_cards, practice_links, region_label

    table = axis_table(cube, axis)
    labels = region_label(tabs["regions"])
    peers = peer_ids(table, region, mode, list(peer_list), tabs["regions"], group, edition)
    radar = radar_frame(table, region, peers, group, edition, labels)
    heat, _shown = heat_table(cube, region, group, edition)
    area_tab = table if axis == "area" else axis_table(cube, "area")
    catalogue = measure_catalogue(tabs.get("measures"), tabs["outcomes"])
    if measure is None:
        _options, measure = outcome_choice(catalogue, tabs["outcomes"], tabs["regions"], region,
                                           area_order(cube), area)
    return RegionModel(
        headline=headline_cards(cube, tabs["regions"], region, group, edition, weights),
        peers=peers, radar=radar, radar_wide=radar_table(radar, axis), heat=heat,
        strengths=strengths_shown(cube, region, peers, group, edition, tabs["indicators"]),
        change=change_shown(cube, region, group, edition),
        similar=similar_shown(table, region, group, edition, labels, axis),
        drilldown=drilldown_shown(cube, tabs["indicators"], tabs["scores"], region, group,
                                  edition, area),
        outcome=outcome_gap(area_tab, tabs["outcomes"], catalogue, tabs["regions"], region,
                            group, edition, measure) if measure else None,
        practices=practice_links(cube, tabs["practices"], tabs["regions"], region, group,
                                 edition, mode, tuple(peer_list), table=area_tab))
