"""The answer-map rule, in one place: from a score row's answer code to its value.

Validation (:mod:`data.validate`: unknown codes, answers that disagree with a given value),
the import (:func:`data.imports.derive`: the value stored next to the code) and scoring
(:func:`scoring.prepare`: the value every aggregate uses) all call :func:`answer_values`,
so they cannot disagree about what an answer is worth.

The rule:

* an answer code is compared with the codes of *its own indicator's* answer map
  (``"A=100;B=50;C=0"``), after trimming spaces; codes are case-sensitive;
* a row with an answer code gets that code's value — the answer wins over a ``value``
  given beside it (the map is the published rule; a disagreement is reported upstream);
* a row without an answer code keeps its ``value`` (scores may be given directly);
* a code that is not in the indicator's map (or an indicator without a readable map) gives
  no value and is flagged ``unknown``; it is never read as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.schema import parse_answers

#: Two values closer than this agree (answer maps are typed by hand: 33.3 vs 33.33 do not).
TOLERANCE = 1e-6


@dataclass(frozen=True)
class AnswerValues:
    """Per score row: ``value`` (what scoring uses), ``from_answer`` (the answer code's
    value, NaN without one), ``has_answer``, ``unknown`` (a code the map does not hold)
    and ``disagree`` (a code and a different ``value`` both given)."""

    value: np.ndarray
    from_answer: np.ndarray
    has_answer: np.ndarray
    unknown: np.ndarray
    disagree: np.ndarray


def answer_maps(indicators: pd.DataFrame, strict: bool = True) -> list[dict[str, float]]:
    """The parsed answer map of every indicator, in the table's row order.

    ``strict``: an unreadable map raises ``ValueError`` naming the indicator; otherwise it
    counts as empty (validation reports it on its own row).
    """
    texts = indicators["answers"] if "answers" in indicators.columns \
        else pd.Series([None] * len(indicators))
    ids = indicators["indicator_id"] if "indicator_id" in indicators.columns \
        else pd.Series(range(len(indicators)))
    out = []
    for iid, text in zip(ids.tolist(), texts.tolist()):
        try:
            out.append(parse_answers(text))
        except ValueError as exc:
            if strict:
                raise ValueError(f"indicator {iid}: {exc}") from None
            out.append({})
    return out


def answer_values(ind_pos, answers, maps: list[dict[str, float]], given=None) -> AnswerValues:
    """Apply the answer-map rule to many score rows at once.

    Inputs: ``ind_pos`` each row's indicator as a position in ``maps`` (−1: unknown
    indicator); ``answers`` each row's answer code (missing/empty: none); ``maps`` from
    :func:`answer_maps`; ``given`` each row's ``value`` column (optional).
    Vectorised: answers are factorised once and looked up in an (indicators × codes)
    table, which is what keeps this cheap at millions of rows.
    """
    ind_pos = np.asarray(ind_pos, dtype=np.int64)
    n = len(ind_pos)
    given = np.full(n, np.nan) if given is None else \
        pd.to_numeric(pd.Series(given), errors="coerce").to_numpy(float)
    codes_in = pd.Series(answers)
    a_codes, a_uniques = pd.factorize(codes_in)
    text = np.asarray([str(a).strip() for a in a_uniques], dtype=object)
    has = a_codes >= 0
    if len(text):  # an empty (or blank) code is no answer; compared once per distinct code
        has &= (text != "")[np.maximum(a_codes, 0)]
    from_answer = np.full(n, np.nan)
    if len(text):
        index = {}
        for j, code in enumerate(text):
            index.setdefault(code, []).append(j)
        lookup = np.full((max(len(maps), 1), len(text)), np.nan)
        for i, amap in enumerate(maps):
            for code, v in amap.items():
                for j in index.get(str(code).strip(), ()):
                    lookup[i, j] = v
        ok = has & (ind_pos >= 0)
        from_answer[ok] = lookup[ind_pos[ok], a_codes[ok]]
    unknown = has & np.isnan(from_answer)
    value = np.where(has, from_answer, given)
    with np.errstate(invalid="ignore"):
        disagree = has & ~unknown & ~np.isnan(given) & (np.abs(from_answer - given) > TOLERANCE)
    return AnswerValues(value, from_answer, has, unknown, disagree)


def score_values(scores: pd.DataFrame, indicators: pd.DataFrame) -> AnswerValues:
    """:func:`answer_values` for a scores table against an indicators table (rows whose
    indicator_id is not in ``indicators`` have no answer value; unreadable maps count as
    empty). Used by validation and the import."""
    ids = indicators["indicator_id"].astype("str").tolist()
    pos = {}
    for j, iid in enumerate(ids):
        pos.setdefault(iid, j)
    ind_pos = scores["indicator_id"].astype("str").map(pos).fillna(-1).to_numpy(np.int64) \
        if len(scores) else np.zeros(0, np.int64)
    answers = scores["answer"] if "answer" in scores.columns else pd.Series([None] * len(scores))
    given = scores["value"] if "value" in scores.columns else None
    return answer_values(ind_pos, answers.to_numpy(dtype=object), answer_maps(indicators, False),
                         None if given is None else given.to_numpy(dtype=float, na_value=np.nan))
