"""Proposed practices: validation, the durable pending queue, duplicates, rate limits (no Streamlit).

A visitor's proposal never reaches the published data directly. It is validated field by
field (:func:`validate`, the practices columns' rules from :mod:`data.schema` plus lengths,
an e-mail and the per-criterion sentences), then written to the :class:`Queue`: one JSON file
per proposal in a directory *beside* the store, written atomically (temporary file, fsync,
``os.replace``), so a proposal survives a restart and any number of new data versions.
Staff approve one (:meth:`Queue.approve`: it becomes a practice in a new published version,
with who approved it in the store's history) or reject it with a reason.

Layout of the queue directory::

    pending/<receipt>.json     waiting for review
    decided/<receipt>.json     approved or rejected (kept: the record of decisions)
    .lock                      serialises submissions and decisions (queue size)

Rate limits are counted in :mod:`data.limits` (beside the store, or in the shared store's
database), keyed on the *client* — the visitor's address as the trusted proxy reports it
(``ui.clients``) — not on the Streamlit session, which a reload renews: at most
``per_client`` proposals per client and ``per_window`` from everyone per window.

What stays in the queue and is never published: the contact e-mail, the client key (a
salted hash of the address, so moderators can reject everything one sender sent) and the edit history. The per-criterion sentences are kept
in the record and, on approval, appended to the published summary (unless staff say not to),
because the practices table has no column for them and a reader of the card should see why a
practice meets a criterion.

A place that is not in the regions table (a municipality, Whole-COMM's level) is given as
name, country and coordinates; approving it adds a LAU region row with a stable id derived
from country and name (:func:`lau_id`) in the same publish, so the practice has a region
like every other and a second practice from the same town joins the same region.

No Streamlit here. Messages go through the ``t`` argument (the interface passes
``ui.i18n.t``), so every string is a literal in a ``t("…")`` call.
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import json
import logging
import os
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from data import limits as _limits
from data.problems import Problems
from data.schema import AUTHORITY_ROLES, CRITERIA, LANGUAGES, LIST_SEP, PRACTICES, REGIONS, TABLE_ORDER
from data.store import StaleVersionError, write_json_atomic
from data.validate import coerce

log = logging.getLogger("mipexr.proposals")

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
#: Receipt ids: ``LAB-<yyyymmdd>-<8 base32 characters>``; also the approved practice's id.
RECEIPT = re.compile(r"^LAB-\d{8}-[A-Z2-7]{8}$")
TARGET_GROUPS = ("TCN", "BIP")
#: Longest text accepted per field (characters), and the shortest for the main texts.
MAX_LEN = {"title": 200, "summary": 5000, "lessons_learnt": 5000, "transferability_tips": 5000,
           "criterion": 600, "url": 500, "email": 254, "place_name": 120, "item": 100,
           "reason": 1000}
MIN_LEN = {"title": 5, "summary": 50, "lessons_learnt": 20, "transferability_tips": 20,
           "criterion": 10}
MAX_ITEMS = 15
EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\]+@[^@\s<>\"'(),;:\\]+\.[^@\s<>\"'(),;:\\]{2,}$")
URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
COUNTRY = re.compile(r"^[A-Z]{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
#: Two titles are "similar" from this score on (see :func:`title_similarity`).
SIMILAR = 0.75
#: Fields of a proposal, in form order (``region`` is a region_id or a ``place``).
FIELDS = ("title", "region_id", "place", "start_year", "end_year", "areas", "target_groups",
          "authority_role", "stakeholders", "criteria", "funding", "summary", "lessons_learnt",
          "transferability_tips", "url", "language")


def _plain(text: str, **kwargs) -> str:
    return text.format(**kwargs) if kwargs else text


def now_iso(ts: float | None = None) -> str:
    return datetime.fromtimestamp(time.time() if ts is None else ts, timezone.utc) \
        .replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------- limits

@dataclass(frozen=True)
class Limits:
    """Submissions allowed per client and in all, per ``window`` seconds; pending maximum;
    the shortest time (seconds) a person takes to fill the form (the proof-of-human step)."""

    per_client: int = 3
    per_window: int = 50
    window: float = 3600.0
    max_pending: int = 500
    min_seconds: float = 5.0

    @classmethod
    def from_env(cls, env=None) -> "Limits":
        """``MIPEXR_PROPOSALS_PER_CLIENT`` (3), ``MIPEXR_PROPOSALS_PER_HOUR`` (50, all
        visitors together), ``MIPEXR_PROPOSALS_WINDOW_MINUTES`` (60),
        ``MIPEXR_PROPOSALS_MAX_QUEUE`` (500 pending), ``MIPEXR_PROPOSALS_MIN_SECONDS`` (5)."""
        env = os.environ if env is None else env

        def num(key, default):
            try:
                return float(env.get(key) or default)
            except ValueError:
                log.warning("%s=%r is not a number; using %s.", key, env.get(key), default)
                return float(default)

        return cls(int(num("MIPEXR_PROPOSALS_PER_CLIENT", 3)), int(num("MIPEXR_PROPOSALS_PER_HOUR", 50)),
                   num("MIPEXR_PROPOSALS_WINDOW_MINUTES", 60) * 60, int(num("MIPEXR_PROPOSALS_MAX_QUEUE", 500)),
                   num("MIPEXR_PROPOSALS_MIN_SECONDS", 5))


class Refused(Exception):
    """A submission refused by a limit: ``kind`` is ``client``, ``global`` or ``full``;
    ``retry_after`` seconds until one more is allowed (0 when unknown)."""

    def __init__(self, kind: str, retry_after: float = 0.0):
        super().__init__(kind)
        self.kind, self.retry_after = kind, retry_after


class QueueError(Exception):
    """A proposal that does not exist, or is no longer pending."""


# ---------------------------------------------------------------------- text

def clean_text(value) -> str:
    """Text as text: ``None`` → ``""``, line breaks normalised, control and bidi-override
    characters removed, outer spaces trimmed. Markup is *kept* (shown literally everywhere)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()


def clean_items(values) -> list[str]:
    """A list field: items cleaned, ``;`` (the list separator) turned into ``,``, empty and
    repeated items dropped, order kept."""
    if values is None:
        return []
    if isinstance(values, str):
        values = values.split(LIST_SEP)
    out = []
    for v in values:
        item = " ".join(clean_text(v).replace(LIST_SEP, ",").split())
        if item and item not in out:
            out.append(item)
    return out


def _number(value) -> float | None | str:
    """A number from a widget or text; None when empty; the text itself when not a number."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = clean_text(value).replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def normalise_title(title) -> str:
    """Lower case, accents stripped, punctuation → spaces: ``"Café-Lingua!"`` → ``"cafe lingua"``."""
    text = unicodedata.normalize("NFKD", clean_text(title).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def slug(text: str, max_len: int = 40) -> str:
    return normalise_title(text).upper().replace(" ", "-")[:max_len].strip("-") or "PLACE"


def lau_id(country: str, name: str) -> str:
    """The stable region id of a place proposed by name: ``ES-LAU-SANT-BOI-DE-LLOBREGAT``."""
    return f"{country.upper()}-LAU-{slug(name)}"


# ---------------------------------------------------------------------- validation

def validate(raw: dict, regions: pd.DataFrame, *, t=_plain) -> tuple[dict, dict[str, list[str]]]:
    """Check a proposal as entered; return ``(fields, errors)``.

    ``raw`` holds what the form gave: ``title, region_mode`` (``list`` or ``place``),
    ``region_id`` or ``place_name, place_country, place_lat, place_lon, place_parent``,
    ``start_year, end_year, areas, target_groups, authority_role, stakeholders, criteria``
    (criterion → sentence; an empty sentence means the criterion is not claimed),
    ``funding, summary, lessons_learnt, transferability_tips, url, language, email``.
    ``fields`` is the clean proposal (JSON-ready; see :data:`FIELDS`) plus ``email``;
    ``errors`` maps a form field to its messages (empty when the proposal is valid). The
    practices columns then go through :func:`data.validate.coerce`, the upload's own checks,
    as a last net: anything it finds is reported on its field too.
    """
    errors: dict[str, list[str]] = {}

    def err(name, message):
        errors.setdefault(name, []).append(message)

    def text(name, required=True, key=None):
        value = clean_text(raw.get(name))
        key = key or name
        if not value:
            if required:
                err(name, t("This field is required."))
            return None
        if len(value) > MAX_LEN[key]:
            err(name, t("At most {max} characters (this has {n}).", max=MAX_LEN[key], n=len(value)))
        elif len(value) < MIN_LEN.get(key, 0):
            err(name, t("Write at least {min} characters (this has {n}).", min=MIN_LEN[key], n=len(value)))
        return value

    def items(name, required=False, choices=None):
        values = clean_items(raw.get(name))
        if required and not values:
            err(name, t("Choose at least one."))
        if len(values) > MAX_ITEMS:
            err(name, t("At most {max} items.", max=MAX_ITEMS))
        long = [v for v in values if len(v) > MAX_LEN["item"]]
        if long:
            err(name, t("Each item can have at most {max} characters.", max=MAX_LEN["item"]))
        if choices is not None:
            bad = [v for v in values if v not in choices]
            if bad:
                err(name, t("Not one of the choices: {items}.", items=", ".join(bad)))
        return values

    def year(name):
        col = PRACTICES.column(name)
        value = _number(raw.get(name))
        if isinstance(value, str) or (value is not None and value != int(value)):
            err(name, t("Write a year as four digits, e.g. 2021."))
            return None
        if value is not None and not col.lo <= value <= col.hi:
            err(name, t("A year between {lo} and {hi}.", lo=int(col.lo), hi=int(col.hi)))
            return None
        return None if value is None else int(value)

    f: dict = {"title": text("title")}
    region_ids = set(regions["region_id"].dropna().astype(str)) if len(regions) else set()
    f["region_id"], f["place"] = None, None
    if raw.get("region_mode", "list") == "place":
        place = {"name": text("place_name", key="place_name"),
                 "country": clean_text(raw.get("place_country")).upper(),
                 "parent_id": clean_text(raw.get("place_parent")) or None}
        if not COUNTRY.match(place["country"]):
            err("place_country", t("Choose the country (a two-letter code such as ES)."))
        if place["parent_id"] and place["parent_id"] not in region_ids:
            err("place_parent", t("Choose the enclosing region from the list, or leave it empty."))
        for key, name in (("lat", "place_lat"), ("lon", "place_lon")):
            col = REGIONS.column(key)
            value = _number(raw.get(name))
            if value is None:
                err(name, t("This field is required."))
            elif isinstance(value, str) or not col.lo <= value <= col.hi:
                err(name, t("A number between {lo} and {hi} (decimal degrees, e.g. 41.35).",
                            lo=int(col.lo), hi=int(col.hi)))
            else:
                place[key] = round(value, 5)
        f["place"] = place
        if place["name"] and COUNTRY.match(place["country"]):
            f["region_id"] = lau_id(place["country"], place["name"])
    else:
        rid = clean_text(raw.get("region_id"))
        if not rid:
            err("region_id", t("Choose the region, or give the place below."))
        elif rid not in region_ids:
            err("region_id", t("Choose a region from the list."))
        else:
            f["region_id"] = rid
    f["start_year"], f["end_year"] = year("start_year"), year("end_year")
    if f["start_year"] and f["end_year"] and f["end_year"] < f["start_year"]:
        err("end_year", t("The last year is before the first year."))
    f["areas"] = items("areas", required=True)
    f["target_groups"] = items("target_groups", required=True, choices=TARGET_GROUPS)
    role = clean_text(raw.get("authority_role"))
    if role not in AUTHORITY_ROLES:
        err("authority_role", t("Say whether the regional authority takes part directly or indirectly."))
    f["authority_role"] = role or None
    f["stakeholders"] = items("stakeholders")
    f["funding"] = items("funding")
    crit = {}
    for name, sentence in dict(raw.get("criteria") or {}).items():
        sentence = clean_text(sentence)
        if name not in CRITERIA:
            err("criteria", t("Unknown criterion: {name}.", name=clean_text(name)[:40]))
        elif sentence:
            key = f"criterion:{name}"
            if len(sentence) > MAX_LEN["criterion"]:
                err(key, t("At most {max} characters (this has {n}).", max=MAX_LEN["criterion"], n=len(sentence)))
            elif len(sentence) < MIN_LEN["criterion"]:
                err(key, t("Write at least {min} characters (this has {n}).", min=MIN_LEN["criterion"],
                           n=len(sentence)))
            crit[name] = sentence
    if not crit:
        err("criteria", t("Explain in one sentence how the practice meets at least one of the criteria."))
    f["criteria"] = {c: crit[c] for c in CRITERIA if c in crit}
    f["summary"] = text("summary")
    f["lessons_learnt"] = text("lessons_learnt")
    f["transferability_tips"] = text("transferability_tips")
    url = text("url", required=False)
    if url and not URL.match(url):
        err("url", t("A full web address starting with https:// (or http://), without spaces."))
    f["url"] = url
    lang = clean_text(raw.get("language"))
    if lang not in LANGUAGES:
        err("language", t("Choose the language the proposal is written in."))
    f["language"] = lang or None
    email = text("email", key="email")
    if email and not EMAIL.match(email):
        err("email", t("This does not look like an e-mail address (name@example.org)."))
    f["email"] = email
    if not errors:  # the published table's own rules, as a last net
        for column, message in schema_problems(f).items():
            err({"region_id": "region_id"}.get(column, column), message)
    return f, errors


def schema_problems(fields: dict) -> dict[str, str]:
    """Errors :func:`data.validate.coerce` finds in the practice row of ``fields``
    (column → message), checked exactly as an uploaded practices file would be."""
    row = practice_row(fields, "LAB-00000000-AAAAAAAA", append_criteria=False)
    text = {k: "" if v is None or (isinstance(v, float) and v != v) else str(v) for k, v in row.items()}
    frame = pd.DataFrame([text], index=pd.Index([2], name="row"))
    problems = Problems("practices")
    coerce("practices", frame, problems, max_rows=1)
    found = problems.frame
    found = found[found["severity"] == "error"]
    return {str(c): str(m) for c, m in zip(found["column"], found["message"])}


# ---------------------------------------------------------------------- to practice rows

def criteria_paragraph(criteria: dict) -> str:
    """``"REGIN criteria —\\ninnovation: …\\nsustainability: …"``, in criteria order."""
    lines = [f"{c}: {criteria[c]}" for c in CRITERIA if criteria.get(c)]
    return "REGIN criteria —\n" + "\n".join(lines) if lines else ""


def practice_row(fields: dict, practice_id: str, *, append_criteria: bool = True) -> dict:
    """The practices-table row of a proposal (``;``-joined lists, schema column names)."""
    summary = fields.get("summary") or ""
    if append_criteria and fields.get("criteria"):
        summary = (summary + "\n\n" + criteria_paragraph(fields["criteria"])).strip()
    place = fields.get("place") or {}
    row = {
        "practice_id": practice_id, "title": fields.get("title"), "region_id": fields.get("region_id"),
        "lat": place.get("lat"), "lon": place.get("lon"),
        "areas": LIST_SEP.join(fields.get("areas") or []) or None,
        "target_groups": LIST_SEP.join(fields.get("target_groups") or []) or None,
        "authority_role": fields.get("authority_role"),
        "stakeholders": LIST_SEP.join(fields.get("stakeholders") or []) or None,
        "criteria": LIST_SEP.join(c for c in CRITERIA if (fields.get("criteria") or {}).get(c)) or None,
        "funding": LIST_SEP.join(fields.get("funding") or []) or None,
        "start_year": fields.get("start_year"), "end_year": fields.get("end_year"),
        "summary": summary or None, "lessons_learnt": fields.get("lessons_learnt"),
        "transferability_tips": fields.get("transferability_tips"), "url": fields.get("url"),
        "language": fields.get("language") or "en",
    }
    return {c: row.get(c) for c in PRACTICES.names}


def region_row(fields: dict) -> dict | None:
    """The LAU region row a proposal's place needs, or None when it names a listed region."""
    place = fields.get("place")
    if not place:
        return None
    return {"region_id": fields["region_id"], "name": place["name"], "country": place["country"],
            "level": "LAU", "parent_id": place.get("parent_id"), "lat": place.get("lat"),
            "lon": place.get("lon"), "nuts_version": None}


def with_proposal(tables: dict[str, pd.DataFrame], fields: dict, practice_id: str, *,
                  append_criteria: bool = True) -> dict[str, pd.DataFrame]:
    """The tables as they would be published with the proposal added (the preview and the
    approval use the same function, so the preview is exactly what gets published)."""
    out = dict(tables)
    reg = region_row(fields)
    if reg is not None and not (tables["regions"]["region_id"].astype(str) == reg["region_id"]).any():
        out["regions"] = _append(tables["regions"], reg)
    practices = tables["practices"]
    practices = practices[practices["practice_id"].astype(str) != practice_id]
    out["practices"] = _append(practices, practice_row(fields, practice_id, append_criteria=append_criteria))
    return out


def _append(frame: pd.DataFrame, row: dict) -> pd.DataFrame:
    new = pd.DataFrame([row], columns=frame.columns).astype(frame.dtypes.to_dict())
    return pd.concat([frame, new], ignore_index=True) if len(frame) else new


# ---------------------------------------------------------------------- duplicates

def title_similarity(a, b) -> float:
    """0–1: the larger of the character-sequence ratio and the word overlap (Jaccard) of the
    normalised titles, so both "Language café" ~ "Language cafe!" and a reordered title match."""
    na, nb = normalise_title(a), normalise_title(b)
    if not na or not nb:
        return 0.0
    ratio = difflib.SequenceMatcher(None, na, nb).ratio()
    wa, wb = set(na.split()), set(nb.split())
    return max(ratio, len(wa & wb) / len(wa | wb))


def duplicates(fields: dict, practices: pd.DataFrame, pending: list[dict] = (), *,
               threshold: float = SIMILAR, exclude: str | None = None) -> list[dict]:
    """Published practices and other pending proposals from the same region with a similar
    title: ``[{kind, id, title, similarity}]``, most similar first."""
    rid = fields.get("region_id")
    if not rid or not fields.get("title"):
        return []
    found = []
    same = practices[practices["region_id"].astype(str) == str(rid)]
    for pid, title in zip(same["practice_id"].astype(str), same["title"]):
        if pid == exclude:
            continue
        s = title_similarity(fields["title"], title)
        if s >= threshold:
            found.append({"kind": "practice", "id": pid, "title": str(title), "similarity": round(s, 2)})
    for rec in pending:
        other = rec.get("fields", {})
        if rec.get("id") == exclude or other.get("region_id") != rid:
            continue
        s = title_similarity(fields["title"], other.get("title"))
        if s >= threshold:
            found.append({"kind": "proposal", "id": rec["id"], "title": other.get("title"), "similarity": round(s, 2)})
    return sorted(found, key=lambda d: -d["similarity"])


# ---------------------------------------------------------------------- where the queue lives

def queue_dir(cfg=None, env=None) -> Path:
    """``MIPEXR_PROPOSALS_DIR`` if set; else ``<store>/proposals`` for the local store; for
    the shared DuckLake store, ``<data_path>/proposals`` when the data path is a folder every
    replica sees, else ``data/proposals`` in the repository (with a warning: replicas on
    other machines would then each have their own queue — set MIPEXR_PROPOSALS_DIR)."""
    from data.config import REPO_ROOT, settings

    env = os.environ if env is None else env
    if env.get("MIPEXR_PROPOSALS_DIR"):
        path = Path(env["MIPEXR_PROPOSALS_DIR"])
        return path if path.is_absolute() else REPO_ROOT / path
    cfg = cfg or settings()
    if not cfg.catalog:
        return Path(cfg.store_path) / "proposals"
    if cfg.data_path and "://" not in cfg.data_path:
        base = Path(cfg.data_path)
        return (base if base.is_absolute() else REPO_ROOT / base) / "proposals"
    log.warning("The store's data path %r is not a folder: proposals are kept in %s on this machine. "
                "Set MIPEXR_PROPOSALS_DIR to a folder every replica shares.", cfg.data_path,
                REPO_ROOT / "data" / "proposals")
    return REPO_ROOT / "data" / "proposals"


def new_receipt(now: float | None = None) -> str:
    day = datetime.fromtimestamp(time.time() if now is None else now, timezone.utc).strftime("%Y%m%d")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return f"LAB-{day}-" + "".join(secrets.choice(alphabet) for _ in range(8))




# ---------------------------------------------------------------------- the queue

class Queue:
    """The durable queue in ``directory``. Cheap to create; every method reads the files afresh,
    so several sessions, processes or replicas sharing the folder see the same queue."""

    def __init__(self, directory: Path | str, counters: _limits.Counters | None = None):
        self.root = Path(directory)
        self.pending_dir = self.root / PENDING
        self.decided_dir = self.root / "decided"
        self._counters = counters

    @property
    def counters(self) -> _limits.Counters:
        """Where the rate limits are counted (default: a SQLite file beside the queue)."""
        if self._counters is None:
            self._counters = _limits.SQLiteCounters(_limits.counters_path(self.root))
        return self._counters

    @contextlib.contextmanager
    def _locked(self):
        self.pending_dir.mkdir(parents=True, exist_ok=True)
        self.decided_dir.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @staticmethod
    def _read(path: Path) -> dict | None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            log.error("Proposal file %s cannot be read: %s", path, exc)
            return None

    def pending(self) -> list[dict]:
        """Pending proposals, oldest first."""
        if not self.pending_dir.is_dir():
            return []
        recs = [self._read(p) for p in self.pending_dir.glob("LAB-*.json")]
        return sorted((r for r in recs if r), key=lambda r: (r.get("submitted_ts", 0), r["id"]))

    def decided(self, since: float | None = None) -> list[dict]:
        """Approved and rejected proposals (decided at or after ``since``), newest first."""
        if not self.decided_dir.is_dir():
            return []
        paths = [p for p in self.decided_dir.glob("LAB-*.json")
                 if since is None or p.stat().st_mtime >= since]
        recs = [r for r in (self._read(p) for p in paths) if r]
        return sorted(recs, key=lambda r: r.get("decided_at", ""), reverse=True)

    def count_pending(self) -> int:
        return len(list(self.pending_dir.glob("LAB-*.json"))) if self.pending_dir.is_dir() else 0

    def get(self, receipt: str) -> dict | None:
        if not isinstance(receipt, str) or not RECEIPT.match(receipt):
            return None  # never a path built from arbitrary text
        for d in (self.pending_dir, self.decided_dir):
            path = d / f"{receipt}.json"
            if path.is_file():
                return self._read(path)
        return None

    # ------------------------------------------------------------ visitors
    def submit(self, fields: dict, client: str, limits: Limits, now: float | None = None) -> str:
        """Add a validated proposal from ``client`` (its address; see ``ui.clients``); return
        its receipt id. Raises :class:`Refused` when the queue is full or the client's or
        everyone's limit in the window is reached — then nothing is written and nothing is
        counted. The check and the write hold the queue's lock and the counters' together."""
        now = time.time() if now is None else now
        fields = dict(fields)
        email = fields.pop("email", None)
        counters = self.counters
        sender = counters.key("client", client)
        with self._locked(), counters.transaction():
            if self.count_pending() >= limits.max_pending:
                raise Refused("full")
            decision = _limits.take(counters, [("proposal-client", sender, limits.per_client, limits.window),
                                               ("proposal-all", "all", limits.per_window, limits.window)], now)
            if not decision.allowed:
                raise Refused("client" if decision.kind == "proposal-client" else "global", decision.retry_after)
            receipt = new_receipt(now)
            while (self.pending_dir / f"{receipt}.json").exists():
                receipt = new_receipt(now)
            record = {"id": receipt, "status": PENDING, "submitted": now_iso(now), "submitted_ts": now,
                      "client": sender, "fields": fields, "email": email,
                      "events": [{"time": now_iso(now), "who": "proposer", "action": "submitted"}]}
            write_json_atomic(self.pending_dir / f"{receipt}.json", record)
        log.info("Proposal %s received.", receipt)
        return receipt

    # ------------------------------------------------------------ staff
    def _pending_record(self, receipt: str) -> dict:
        rec = self.get(receipt)
        if rec is None:
            raise QueueError(f"There is no proposal {receipt}.")
        if rec.get("status") != PENDING:
            raise QueueError(f"Proposal {receipt} was already {rec.get('status')} by "
                             f"{rec.get('decided_by', '?')}.")
        return rec

    def edit(self, receipt: str, fields: dict, who: str) -> dict:
        """Replace a pending proposal's fields with a staff member's (validated) edit."""
        fields = dict(fields)
        with self._locked():
            rec = self._pending_record(receipt)
            email = fields.pop("email", None)
            changed = sorted(k for k in set(fields) | set(rec["fields"]) if fields.get(k) != rec["fields"].get(k))
            rec["fields"] = fields
            if email and email != rec.get("email"):
                rec["email"] = email
                changed.append("email")
            rec["events"].append({"time": now_iso(), "who": who, "action": "edited", "fields": changed})
            write_json_atomic(self.pending_dir / f"{receipt}.json", rec)
        return rec

    def _decide(self, rec: dict):
        write_json_atomic(self.decided_dir / f"{rec['id']}.json", rec)
        (self.pending_dir / f"{rec['id']}.json").unlink(missing_ok=True)

    def reject(self, receipt: str, who: str, reason: str) -> dict:
        return self.reject_many([receipt], who, reason)[0]

    def reject_many(self, receipts: list[str], who: str, reason: str) -> list[dict]:
        """Reject several pending proposals with one reason (a moderator clearing spam), all
        under one lock; raises :class:`QueueError` — rejecting none — when one of them is
        unknown or no longer pending."""
        reason = clean_text(reason)
        if not reason:
            raise ValueError("A rejection needs a reason.")
        with self._locked():
            recs = [self._pending_record(r) for r in dict.fromkeys(receipts)]
            for rec in recs:
                rec.update(status=REJECTED, decided_by=who, decided_at=now_iso(), reason=reason[:MAX_LEN["reason"]])
                rec["events"].append({"time": rec["decided_at"], "who": who, "action": "rejected",
                                      "note": rec["reason"]})
                self._decide(rec)
        return recs

    def same_sender(self, receipt: str) -> list[str]:
        """Receipts of the pending proposals sent by the same client as ``receipt`` (itself
        included), oldest first."""
        rec = self.get(receipt)
        sender = (rec or {}).get("client")
        if not sender:
            return [receipt] if rec else []
        return [r["id"] for r in self.pending() if r.get("client") == sender]

    def approve(self, receipt: str, store, *, who: str, base_version: str | None,
                append_criteria: bool = True) -> str:
        """Publish the proposal as practice ``<receipt>`` in a new version based on
        ``base_version`` (the version the staff member previewed); return the version id.

        Raises :class:`data.store.StaleVersionError` when the data changed since — nothing is
        published and the proposal stays pending — and :class:`QueueError` when the proposal
        is not pending or its region is gone. The store's history records ``who`` and the
        receipt; the contact e-mail is never part of what is published. If the practice is
        already in the data (a publish whose queue update was interrupted), the proposal is
        marked approved without a second publish.
        """
        with self._locked():
            rec = self._pending_record(receipt)
            fields = rec["fields"]
            current = store.current_id()
            if current != base_version:
                raise StaleVersionError(base_version, current)
            tables = store.tables(current)
            known = set(tables["regions"]["region_id"].astype(str))
            if fields.get("place") is None and fields.get("region_id") not in known:
                raise QueueError(f"The region {fields.get('region_id')} is no longer in the data; edit the proposal.")
            if (tables["practices"]["practice_id"].astype(str) == receipt).any():
                version = base_version
            else:
                new = with_proposal(tables, fields, receipt, append_criteria=append_criteria)
                flags = store.manifest(base_version).get("illustrative", {}) if base_version else {}
                version = store.publish({t: new[t] for t in TABLE_ORDER}, base_version=base_version, who=who,
                                        note=f"Proposal {receipt} approved: {fields.get('title', '')[:120]}",
                                        illustrative=flags, action="proposal")
            rec.update(status=APPROVED, decided_by=who, decided_at=now_iso(), practice_id=receipt,
                       version=version, criteria_in_summary=bool(append_criteria))
            rec["events"].append({"time": rec["decided_at"], "who": who, "action": "approved", "version": version})
            self._decide(rec)
        log.info("Proposal %s approved by %s as version %s.", receipt, who, version)
        return version
