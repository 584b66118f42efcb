"""Integration Lab practices: filter, full-text search and "practices for my gaps" (pure).

No Streamlit here: the page (``pages/practices.py`` with ``ui/practices.py``) reads the
widgets and renders; everything that decides *which* practices are shown, and in which
order, is a function of DataFrames in this module and is tested without a browser.

* :class:`Filters` + :func:`filter_mask` — the facets (area, target group, country,
  region, authority role, stakeholders, criteria, funding, years), vectorised.
* :class:`SearchIndex` — ranked full-text search over title, summary, lessons learnt and
  tips for transferability: DuckDB's ``fts`` extension (BM25, Porter stemmer, accents
  stripped) loaded from its PyPI wheel, with a plain ``ILIKE`` scan as the fallback (and
  the benchmark's baseline).
* :func:`gap_suggestions` — for one region: the areas where it trails its peers most,
  and practices from other regions in those areas, preferring regions that score well there.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, fields
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from data.schema import LIST_SEP

#: Columns searched, and how much a match in each counts (title matches count double).
SEARCH_COLUMNS = ("title", "summary", "lessons_learnt", "transferability_tips")
TITLE_BOOST = 1.0
#: Multi-valued facets: a practice matches when it has *any* of the chosen items.
LIST_FACETS = {"areas": "areas", "target_groups": "target_groups", "stakeholders": "stakeholders",
               "criteria": "criteria", "funding": "funding"}
_TERM = re.compile(r"[^\W_]+", re.UNICODE)


# ------------------------------------------------------------------------------ filters

@dataclass(frozen=True)
class Filters:
    """The facets chosen by a user. Empty tuples / ``None`` mean "no restriction".

    Within one facet the choices are alternatives (OR); facets combine with AND.
    ``years`` keeps practices active at some point in ``[from, to]`` (a practice with no
    end year is ongoing); practices without a start year are left out only when a year
    range is set.
    """

    areas: tuple = ()
    target_groups: tuple = ()
    countries: tuple = ()
    regions: tuple = ()
    roles: tuple = ()
    stakeholders: tuple = ()
    criteria: tuple = ()
    funding: tuple = ()
    years: tuple | None = None
    query: str = ""

    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


def list_items(series: pd.Series) -> pd.DataFrame:
    """``;``-separated lists exploded into one row per item: columns ``row`` (position in
    ``series``) and ``item`` (stripped, non-empty). Vectorised."""
    s = pd.Series(series, dtype="object").reset_index(drop=True).fillna("").astype(str)
    ex = s.str.split(LIST_SEP).explode()
    items = ex.str.strip()
    keep = items.ne("") & items.notna()
    return pd.DataFrame({"row": ex.index[keep].to_numpy(), "item": items[keep].to_numpy()})


def has_any(series: pd.Series, wanted) -> np.ndarray:
    """Boolean array: does each ``;``-list in ``series`` hold at least one of ``wanted``?

    One anchored regular expression per call (items matched whole, spaces around ``;``
    ignored), run by pyarrow on pandas' string dtype: ~20 ms for 100,000 rows.
    """
    wanted = sorted({str(w).strip() for w in wanted if str(w).strip()})
    if not wanted:
        return np.zeros(len(series), dtype=bool)
    alts = "|".join(re.escape(w) for w in wanted)
    pattern = rf"(?:^|{LIST_SEP})\s*(?:{alts})\s*(?:{LIST_SEP}|$)"
    s = pd.Series(series).reset_index(drop=True).astype("str").fillna("")
    return s.str.contains(pattern, regex=True).fillna(False).to_numpy(bool)


def facet_options(practices: pd.DataFrame, regions: pd.DataFrame | None = None) -> dict[str, list]:
    """The values each facet can take in ``practices`` (sorted), for the filter widgets."""
    opts = {name: sorted(list_items(practices[col])["item"].unique().tolist())
            for name, col in LIST_FACETS.items()}
    opts["roles"] = sorted(practices["authority_role"].dropna().astype(str).unique().tolist())
    opts["regions"] = sorted(practices["region_id"].dropna().astype(str).unique().tolist())
    opts["countries"] = sorted(practice_countries(practices, regions).dropna().unique().tolist())
    years = pd.concat([practices["start_year"], practices["end_year"]]).dropna()
    opts["years"] = (int(years.min()), int(years.max())) if len(years) else None
    return opts


def practice_countries(practices: pd.DataFrame, regions: pd.DataFrame | None) -> pd.Series:
    """Country code of each practice's region (from the regions table; else the region
    code's first two letters, the NUTS convention)."""
    rid = practices["region_id"].astype(str).reset_index(drop=True)
    guess = rid.str[:2]
    if regions is None or not len(regions):
        return guess
    country = regions.drop_duplicates("region_id").set_index("region_id")["country"]
    return rid.map(country).fillna(guess).astype(str)


def filter_mask(practices: pd.DataFrame, f: Filters, regions: pd.DataFrame | None = None) -> np.ndarray:
    """Boolean array over ``practices`` rows: which rows pass every facet of ``f``
    (the text query is not applied here: see :class:`SearchIndex`)."""
    p = practices.reset_index(drop=True)
    mask = np.ones(len(p), dtype=bool)
    for name, col in LIST_FACETS.items():
        chosen = getattr(f, name)
        if chosen:
            mask &= has_any(p[col], chosen)
    if f.roles:
        mask &= p["authority_role"].isin(list(f.roles)).fillna(False).to_numpy(bool)
    if f.regions:
        mask &= p["region_id"].astype(str).isin([str(r) for r in f.regions]).to_numpy(bool)
    if f.countries:
        mask &= practice_countries(p, regions).isin(list(f.countries)).to_numpy(bool)
    if f.years:
        lo, hi = (int(y) for y in f.years)
        start = pd.to_numeric(p["start_year"], errors="coerce")
        end = pd.to_numeric(p["end_year"], errors="coerce")
        mask &= (start.le(hi) & (end.isna() | end.ge(lo))).fillna(False).to_numpy(bool)
    return mask


# ------------------------------------------------------------------------------ search

def fts_extension_path() -> Path | None:
    """The ``fts`` extension file inside the ``duckdb-extension-fts`` wheel matching the
    installed DuckDB, or ``None`` (never downloaded: ``INSTALL`` would need the network)."""
    try:
        import duckdb_extension_fts
    except ImportError:
        return None
    base = Path(duckdb_extension_fts.__file__).parent / "extensions"
    path = base / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    return path if path.is_file() else None


def terms(query: str) -> list[str]:
    """The words of a query (letters and digits of any script), lower-cased, deduplicated."""
    return list(dict.fromkeys(w.lower() for w in _TERM.findall(query or "")))


_FTS_SQL = """
SELECT practice_id, coalesce(fts_main_docs.match_bm25(practice_id, $q), 0)
       + {boost} * coalesce(fts_main_docs.match_bm25(practice_id, $q, fields := 'title'), 0) AS score
FROM docs WHERE fts_main_docs.match_bm25(practice_id, $q) IS NOT NULL
ORDER BY score DESC, practice_id
"""


class SearchIndex:
    """Ranked full-text search over one practices table.

    ``engine="fts"`` (default when the extension wheel is installed): DuckDB's full-text
    index — BM25 over title, summary, lessons learnt and tips together, plus the BM25 of the
    title alone (a title match counts double); Porter stemming ("housing" finds "houses"),
    English stop-words, accents stripped ("mentoria" finds "Mentoría"); a practice matching
    *any* word is found, those matching more and rarer words rank first.
    ``engine="ilike"``: a plain scan, accent- and case-insensitive, ranked by how many query
    words a practice contains (title hits count double) — no stemming.

    Build once per data version (the app caches it); :meth:`search` is safe from several
    threads (one DuckDB cursor per thread).
    """

    def __init__(self, practices: pd.DataFrame, engine: str | None = None):
        ext = fts_extension_path()
        self.engine = engine or ("fts" if ext else "ilike")
        if self.engine not in ("fts", "ilike"):
            raise ValueError("engine must be 'fts' or 'ilike'")
        self.n = len(practices)
        self._con = duckdb.connect(":memory:", config={"threads": 2})
        docs = practices[["practice_id", *SEARCH_COLUMNS]].astype("object").fillna("")
        self._con.register("src", docs)
        self._con.execute("CREATE TABLE docs AS SELECT practice_id::VARCHAR AS practice_id, "
                          + ", ".join(f"{c}::VARCHAR AS {c}" for c in SEARCH_COLUMNS) + " FROM src")
        self._con.unregister("src")
        if self.engine == "fts":
            if ext is None:
                raise RuntimeError("DuckDB's fts extension is not installed: pip install "
                                   f"duckdb-extension-fts=={duckdb.__version__}")
            # The path comes from the installed package, never from a user.
            self._con.execute("LOAD '" + str(ext).replace("'", "''") + "'")
            self._con.execute("PRAGMA create_fts_index('docs', 'practice_id', 'title', 'summary', "
                              "'lessons_learnt', 'transferability_tips', stemmer = 'porter', "
                              "stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1)")
        else:
            self._con.execute("CREATE TABLE flat AS SELECT practice_id, strip_accents(lower(title)) AS t, "
                              "strip_accents(lower(concat_ws(' ', " + ", ".join(SEARCH_COLUMNS)
                              + "))) AS body FROM docs")
        self._local = threading.local()

    def _cursor(self):
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = self._con.cursor()
        return cur

    def search(self, query: str) -> pd.DataFrame:
        """``practice_id, score`` of the practices matching ``query``, best first.

        An empty query (or one with no word) gives an empty frame; the caller then shows
        every practice unranked.
        """
        words = terms(query)
        if not words:
            return pd.DataFrame({"practice_id": pd.Series(dtype="str"), "score": pd.Series(dtype=float)})
        if self.engine == "fts":
            sql = _FTS_SQL.format(boost=float(TITLE_BOOST))
            return self._cursor().execute(sql, {"q": " ".join(words)}).df()
        # One pair of placeholders per word: the SQL text depends only on the number of words.
        like = "LIKE strip_accents(?) ESCAPE '\\'"
        hits = " + ".join([f"(CASE WHEN t {like} THEN 2 WHEN body {like} THEN 1 ELSE 0 END)"] * len(words))
        params: list[str] = []
        for w in words:
            pattern = "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            params += [pattern, pattern]
        sql = f"SELECT practice_id, ({hits})::DOUBLE AS score FROM flat WHERE score > 0 ORDER BY score DESC, practice_id"
        return self._cursor().execute(sql, params).df()

    def close(self):
        self._con.close()


def apply(practices: pd.DataFrame, f: Filters, regions: pd.DataFrame | None = None,
          index: SearchIndex | None = None) -> pd.DataFrame:
    """The practices passing ``f``: facets, then the text query (ranked, best first, with a
    ``score`` column) when there is one; else in ``practice_id`` order with ``score`` NaN."""
    p = practices.reset_index(drop=True)
    out = p[filter_mask(p, f, regions)]
    if terms(f.query):
        index = index or SearchIndex(p)
        hits = index.search(f.query)
        out = hits.merge(out, on="practice_id", how="inner")
        return out[[*p.columns, "score"]].reset_index(drop=True)
    return out.assign(score=np.nan).sort_values("practice_id").reset_index(drop=True)


# ------------------------------------------------------------------------------ practices for my gaps

@dataclass
class GapSuggestions:
    """What :func:`gap_suggestions` found.

    ``gaps``: the region's areas as :func:`scoring.priorities` gives them (``score``,
    ``peer_mean``, ``gap_peers`` (negative = below its peers), ``n_peers``, ``best_score``,
    ``best_region``, ``priority``, ``order``, ``reason``), priorities first, ``chosen`` True
    for the areas practices were sought in (the priorities). ``practices``: one row per
    suggested practice (see :func:`gap_suggestions`). ``reason``: why nothing was found,
    if so (``no_scores``, ``no_gaps``, ``no_practices``), else ``""``.
    """

    gaps: pd.DataFrame
    practices: pd.DataFrame
    reason: str = ""
    areas: list = field(default_factory=list)


def gap_suggestions(practices: pd.DataFrame, regions: pd.DataFrame, area_scores: pd.DataFrame,
                    region_id: str, *, target_group: str, edition, peer_ids=None, n_areas: int = 3,
                    limit: int | None = None) -> GapSuggestions:
    """Practices from other regions for the areas where ``region_id`` trails its peers most.

    Formula. ``area_scores`` is ``scoring.aggregate(cube, by=("area",))``. For the region's
    target group and edition, the areas are the region's priority areas,
    :func:`scoring.priorities` — the ``n_areas`` largest shortfalls against the mean of its
    peers (``gap_peers(area) = score − peer mean`` < 0; peers = ``peer_ids``, default every
    other scored region; ties: lower own score) — the rule the profile, the brief and the
    workshop use too. A practice qualifies when it
    comes from another region, lists one of those areas, and is for ``target_group``
    ("ALL": any). Its relevance sums, over the chosen areas it lists,
    ``−gap_peers(area) × source score(area) / 100`` — a big gap and a source region that
    scores well there both push it up. Missing data: a source region with no score in the
    area contributes 0 (the practice is still suggested, last); the region's own NaN
    scores give no gap.

    Output ``practices`` columns: practice_id, title, region_id, region_name, areas
    (all its areas), matched (chosen areas it lists, ``;``-joined), area (the matched area
    contributing most), gap (points below peers in that area, positive), own_score,
    source_score, source_rank, n_ranked (regions ranked in that area), relevance, rank.
    """
    from scoring import priorities as score_priorities
    from scoring.compare import rank_within

    region_id = str(region_id)
    t = area_scores[(area_scores["target_group"].astype(str) == str(target_group))
                    & (area_scores["edition"] == edition)].copy()
    t["region_id"] = t["region_id"].astype(str)
    t["area"] = t["area"].astype(str)
    empty = pd.DataFrame(columns=["practice_id", "title", "region_id", "region_name", "areas", "matched",
                                  "area", "gap", "own_score", "source_score", "source_rank", "n_ranked",
                                  "relevance", "rank"])
    if peer_ids is None:
        peer_ids = t.loc[t["score"].notna(), "region_id"].unique().tolist()
    if not (t["region_id"] == region_id).any():
        return GapSuggestions(pd.DataFrame(), empty, "no_scores")
    # the areas to look in: the region's priority areas, by the one rule every page uses
    g = score_priorities(t.assign(area=t["area"].astype(str)), region_id, peer_ids,
                         str(target_group), edition, n=n_areas)
    if g["score"].notna().sum() == 0:
        return GapSuggestions(g, empty, "no_scores")
    g["chosen"] = g["priority"]
    chosen = g.loc[g["priority"]].sort_values("order")["area"].tolist()
    if not chosen:
        return GapSuggestions(g, empty, "no_gaps")

    p = practices.reset_index(drop=True)
    ok = p["region_id"].astype(str).ne(region_id).to_numpy(bool).copy()
    if str(target_group) != "ALL":
        ok &= has_any(p["target_groups"], [target_group])
    t["rank"] = rank_within(t["score"].to_numpy(float), t["area"].astype("category").cat.codes.to_numpy())
    gap = g.set_index("area")
    src_region = p["region_id"].astype(str)
    # One vectorised pass per chosen area (at most n_areas): hit, source score and rank, weight.
    hits, weights, scores, ranks = [], [], [], []
    for area in chosen:
        by_region = t[t["area"] == area].drop_duplicates("region_id").set_index("region_id")
        hits.append(ok & has_any(p["areas"], [area]))
        scores.append(src_region.map(by_region["score"]).to_numpy(float))
        ranks.append(src_region.map(by_region["rank"]).to_numpy(float))
        weights.append(-gap.at[area, "gap_peers"] * np.nan_to_num(scores[-1]) / 100)
    hit = np.vstack(hits)                       # (areas, practices)
    w = np.where(hit, np.vstack(weights), -1.0)  # -1: area not listed
    keep = hit.any(axis=0)
    if not keep.any():
        return GapSuggestions(g, empty, "no_practices", chosen)
    # the area that contributes most explains the suggestion; ties go to the larger gap
    # (chosen is ordered by gap, and argmax takes the first maximum)
    best = w.argmax(axis=0)
    cols = np.arange(len(p))
    n_ranked = t[t["score"].notna()].groupby("area").size()
    matched = pd.Series([""] * len(p), dtype=object)
    for i, area in enumerate(chosen):
        add = pd.Series(np.where(hit[i], area, ""), dtype=object)
        matched = matched.where(add.eq(""), matched.where(matched.eq(""), matched + LIST_SEP) + add)
    best_area = np.asarray(chosen, dtype=object)[best]
    names = regions.drop_duplicates("region_id").set_index("region_id")["name"] if regions is not None \
        else pd.Series(dtype=str)
    out = pd.DataFrame({
        "practice_id": p["practice_id"].to_numpy(), "title": p["title"].to_numpy(),
        "region_id": src_region.to_numpy(), "areas": p["areas"].to_numpy(), "matched": matched.to_numpy(),
        "area": best_area, "gap": -gap["gap_peers"].reindex(best_area).to_numpy(),
        "own_score": gap["score"].reindex(best_area).to_numpy(),
        "source_score": np.vstack(scores)[best, cols], "source_rank": np.vstack(ranks)[best, cols],
        "n_ranked": pd.Series(best_area).map(n_ranked).fillna(0).astype(int).to_numpy(),
        "relevance": np.where(hit, np.vstack(weights), 0.0).sum(axis=0),
    })[keep]
    out["region_name"] = out["region_id"].map(names).fillna(out["region_id"])
    out = out.sort_values(["relevance", "gap", "practice_id"], ascending=[False, False, True]).reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    if limit:
        out = out.head(limit)
    return GapSuggestions(g, out[empty.columns.tolist()], "", chosen)
