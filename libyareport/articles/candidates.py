"""Rule-based candidate claims from a new source's text.

Precision over recall: a reviewer reads every row, so a rule fires only on a clear pattern,
and each candidate says in `rule` which rules produced it (and what they were unsure of):

- `sentence`: the quote is one whole sentence of the source, verbatim;
- `date:<kind>` how the date was found (`date:report` = none in the sentence, dated to the report);
- `actor:exact`, `actor:fuzzy(<text>→<id> <score>)` (a near-spelling, check it), `actor:new`;
- `event:<keyword>`, `claim:<speaker>` (a party's claim), `denial` (a counter-claim);
- `figure:<number phrase>`, `hedge:<words>`, `vague:<word>→<n>`, `range`;
- `support:<pattern>`, `response:<verb>`; `key:existing` when the key matches a row already in the tables;
- `fill:<column>` marks a required column the text did not give: the reviewer must fill it.

Rows carry the target table's columns as the schema declares them (new columns are picked up
automatically); `stance` and `originator` are filled when the schema has them.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from libyareport.articles.dates import DateHit, find_dates, long_date, undated

FUZZY_MIN = 90  # rapidfuzz ratio; below this a near-spelling is not proposed at all
PREFIX = {"events": "ev", "tolls": "tl", "support": "su", "responses": "re"}


@dataclass
class Candidate:
    table: str
    rule: list[str]
    row: dict[str, str]


@dataclass
class Mention:
    start: int
    end: int
    actor_id: str
    text: str
    how: str  # exact | fuzzy(...) | new


# -- sentences ------------------------------------------------------------------------------------
_END = re.compile(r"""(?<=[.!?])["”’']?(?=\s+["“‘(]?[A-Z0-9])""")
_ABBREV = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Gen|Col|Lt|Maj|Capt|Sgt|St|No|U\.S|U\.N|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec)\.$")


def sentences(text: str) -> list[str]:
    """Whole sentences of the text, whitespace collapsed (so each is a verbatim quote after normalising)."""
    lines = text.split("\n")
    blocks: list[list[str]] = [[]]
    for ln in lines:
        s = ln.strip()
        if not s:
            blocks.append([])
            continue
        prev = blocks[-1][-1] if blocks[-1] else ""
        # a line break ends a paragraph after end punctuation or after a short heading-like line
        if prev and (re.search(r"""[.!?:"”’)]$""", prev) or (len(prev) < 60 and s[:1].isupper())):
            blocks.append([])
        blocks[-1].append(s)
    out: list[str] = []
    for b in blocks:
        para = re.sub(r"\s+", " ", " ".join(b)).strip()
        if not para:
            continue
        start = 0
        for m in _END.finditer(para):
            piece = para[start:m.end()]
            if _ABBREV.search(piece.rstrip("\"”’'")):
                continue
            out.append(piece.strip())
            start = m.end()
        out.append(para[start:].strip())
    return [s for s in out if s]


# -- actors ---------------------------------------------------------------------------------------
_ORG_WORDS = r"(?:Ministry|Army|Council|Mission|Brigade|Agency|Organi[sz]ation|Office|Forces|Committee|Union|League|" \
             r"Government|Commission|Parliament|Court|Service|Company|Corporation|Network|Observatory|Battalion)"
_CAPSEQ = re.compile(r"(?:\b[A-Z][\w'’.-]*|\bal-[A-Z][\w'’-]*)(?:\s+(?:of\s+(?:the\s+)?|al-|bin\s+|for\s+)?(?:[A-Z][\w'’.-]*|al-[A-Z][\w'’-]*)){1,5}")
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
_PERSON_CUE = re.compile(r"\b(?:spokesman|spokeswoman|spokesperson|minister|envoy|commander|President|Prime Minister|"
                         r"General|Colonel|Col\.|Gen\.|chief|leader|official)\s+$", re.IGNORECASE)
_NOT_NAMES = {"The", "A", "An", "On", "In", "At", "But", "And", "It", "He", "She", "They", "This", "That", "Its", "His",
              "Her", "Their", "After", "Before", "When", "While", "Since", "According", "Meanwhile", "However"}
_MONTHS_DAYS = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
_NOT_ACRONYMS = {"TV", "II", "III", "IV", "AM", "PM", "GMT", "UTC", "CEO", "ID", "OK"}


def slug(text: str, max_words: int = 6) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("’", "").replace("'", ""))
    return "-".join(words[:max_words]) or "x"


def _names(masked: str) -> list[tuple[int, str]]:
    """(offset, text) of every capitalised name in a sentence whose matched spans are masked."""
    out = []
    for m in _CAPSEQ.finditer(masked):
        text = _trim_name(m.group(0))
        if text and "\0" not in text:
            out.append((m.start() + m.group(0).index(text), text))
    return out


class ActorIndex:
    """Aliases of both actor registries; exact matches first, then near-spellings at ≥ FUZZY_MIN."""

    def __init__(self, rows: list[dict[str, str]]):
        self.rows = {r["actor_id"]: r for r in rows if r.get("actor_id")}
        entries: list[tuple[str, str]] = []
        for r in rows:
            names = [r.get("name", "")] + [a.strip() for a in (r.get("aliases") or "").split(";")]
            for n in names:
                n = n.strip()
                if n:
                    entries.append((n, r["actor_id"]))
                    # "Government of National Accord (GNA)": the name without its bracketed acronym
                    bare = re.sub(r"\s*\([^)]*\)\s*$", "", n)
                    if bare != n:
                        entries.append((bare, r["actor_id"]))
        entries.sort(key=lambda e: -len(e[0]))
        self.entries = entries
        self._pats = []
        for alias, aid in entries:
            flags = re.IGNORECASE if (len(alias) > 4 and any(c.islower() for c in alias)) else 0
            self._pats.append((re.compile(rf"(?<![\w-]){re.escape(alias)}(?:'s|’s)?(?![\w-])", flags), aid, alias))
        self.fuzzy_choices = {alias: aid for alias, aid in entries if len(alias) >= 6 and " " in alias}

    def is_known_alias(self, text: str) -> bool:
        return any(p.fullmatch(text) for p, _, _ in self._pats)

    def find(self, sentence: str) -> list[Mention]:
        work = list(sentence)
        out: list[Mention] = []
        for pat, aid, _alias in self._pats:
            for m in pat.finditer("".join(work)):
                out.append(Mention(m.start(), m.end(), aid, sentence[m.start():m.end()], "exact"))
                for i in range(m.start(), m.end()):
                    work[i] = "\0"
        masked = "".join(work)
        from rapidfuzz import fuzz, process
        for a, text in _names(masked):
            best = process.extractOne(text, list(self.fuzzy_choices), scorer=fuzz.ratio, score_cutoff=FUZZY_MIN)
            if best:
                alias, score = best[0], best[1]
                aid = self.fuzzy_choices[alias]
                out.append(Mention(a, a + len(text), aid, text, f"fuzzy({text}→{aid} {score:.0f})"))
                for i in range(a, a + len(text)):
                    work[i] = "\0"
        masked = "".join(work)
        for a, text in _names(masked):
            before = masked[max(0, a - 40):a]
            if re.search(rf"\b{_ORG_WORDS}\b", text) or _PERSON_CUE.search(before):
                out.append(Mention(a, a + len(text), slug(text).replace("-", "_"), text, "new"))
                for i in range(a, a + len(text)):
                    work[i] = "\0"
        masked = "".join(work)
        for m in _ACRONYM.finditer(masked):
            if m.group(0) not in _NOT_ACRONYMS:
                out.append(Mention(m.start(), m.end(), m.group(0).lower(), m.group(0), "new"))
        return sorted(out, key=lambda x: x.start)

    def kind(self, aid: str) -> str:
        return (self.rows.get(aid) or {}).get("kind", "")

    def side(self, aid: str) -> str:
        return (self.rows.get(aid) or {}).get("side", "")

    def name(self, aid: str) -> str:
        return (self.rows.get(aid) or {}).get("name", aid)

    def is_libyan(self, aid: str) -> bool:
        seen = set()
        while aid and aid not in seen:
            seen.add(aid)
            r = self.rows.get(aid) or {}
            if r.get("kind", "").startswith("libyan") or r.get("country") == "Libya" and r.get("kind") != "person":
                return True
            aid = r.get("parent_id", "")
        return False

    def is_party(self, aid: str) -> bool:
        return self.is_libyan(aid) and self.side(aid) in ("lna", "gna")

    def is_outside(self, aid: str) -> bool:
        seen = set()
        while aid and aid not in seen:
            seen.add(aid)
            r = self.rows.get(aid) or {}
            if r.get("kind") in ("foreign_state", "foreign_institution", "international_organisation"):
                return True
            aid = r.get("parent_id", "")
        return False


def _trim_name(text: str) -> str:
    words = text.split()
    while words and (words[0] in _NOT_NAMES or words[0] in _MONTHS_DAYS):
        words = words[1:]
    while words and words[-1] in _MONTHS_DAYS:
        words = words[:-1]
    if len(words) < 2:  # a lone word ("the Council") is too ambiguous to propose
        return ""
    return " ".join(words).rstrip(".'’")


# -- speakers ---------------------------------------------------------------------------------------
_SPEECH = r"(?:said|says|announced|announces|claimed|claims|stated|reported|told|added|denied|denies|condemned|" \
          r"called|urged|warned|insisted|confirmed|put|found|finds)"
_AUX = r"(?:(?:has|have|had|also|later|quickly)\s+)*"
_NOUN = r"(?:(?:investigation|report|inquiry|statement|analysis|officials?|spokesman|spokeswoman)\s+)?"


def speaker(sentence: str, mentions: list[Mention]) -> tuple[Mention | None, Mention | None]:
    """(who is speaking, whom they quote): 'X said', 'said X', 'according to X[, quoting Y]'."""
    relay: Mention | None = None
    for i, m in enumerate(mentions):
        before = sentence[max(0, m.start - 30):m.start]
        if re.search(r"according to\s+(?:the\s+)?$", before, re.IGNORECASE):
            nxt = mentions[i + 1] if i + 1 < len(mentions) else None
            if nxt and re.match(r"^\s*,?\s*(?:quoting|citing)\s+(?:the\s+)?$", sentence[m.end:nxt.start], re.IGNORECASE):
                return nxt, m
            return m, None
    for m in mentions:
        after = sentence[m.end:m.end + 60]
        if re.match(rf"^\s*(?:,[^,]{{1,50}},\s*)?{_NOUN}{_AUX}{_SPEECH}\b", after, re.IGNORECASE):
            return m, relay
    for m in mentions:
        before = sentence[max(0, m.start - 25):m.start]
        if re.search(rf"\b{_SPEECH}\s+(?:the\s+)?$", before, re.IGNORECASE):
            return m, relay
    return None, None


# -- figures ----------------------------------------------------------------------------------------
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
          "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_VAGUE = {"several": 10, "tens": 10, "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1000}  # ACLED-style
_WORDNUM = (r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:" + "|".join(list(_UNITS)[:9]) + r"))?|"
            + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")(?:\s+(?:hundred|thousand))?")
_NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?(?:\s+(?:thousand|million))?|{_WORDNUM}|" + "|".join(_VAGUE) + ")"
_HEDGE = r"(?:at least|more than|over|about|around|nearly|almost|some|up to|an estimated|approximately|roughly|fewer than|as many as)"
_POP = r"(?:people|persons|civilians|migrants|refugees|fighters|soldiers|troops|children|women|cadets|combatants|residents|others|families)"
_METRIC = r"(?:killed|dead|died|injured|wounded|hurt|displaced|detained|arrested|missing)"
_FIG_A = re.compile(rf"\b(?P<hedge>{_HEDGE}\s+)?(?P<num>{_NUM})(?:\s+(?:and|to)\s+(?P<num2>{_NUM}))?"
                    rf"(?P<mid>(?:\s+(?!(?:and|or)\b)[\w-]+){{0,3}}?)\s+(?:(?:have|has|had|were|was|are|been|being)\s+)*"
                    rf"(?P<metric>{_METRIC})\b", re.IGNORECASE)
_FIG_B = re.compile(rf"\b(?P<verb>killing|injuring|wounding|displacing|leaving)\s+(?P<hedge>{_HEDGE}\s+)?(?P<num>{_NUM})"
                    rf"(?P<mid>(?:\s+[\w-]+){{0,2}}?)(?:\s+(?P<metric>{_METRIC}))?\b", re.IGNORECASE)
_FIG_C = re.compile(rf"\b(?P<verb>killed|injured|wounded)\s+(?P<hedge>{_HEDGE}\s+)?(?P<num>{_NUM})"
                    rf"(?P<mid>(?:\s+[\w-]+){{0,2}}?)\s+(?P<pop>{_POP})\b", re.IGNORECASE)
_METRIC_OF = {"killed": "killed", "dead": "killed", "died": "killed", "killing": "killed", "injured": "injured",
              "wounded": "injured", "hurt": "injured", "injuring": "injured", "wounding": "injured",
              "displaced": "displaced", "displacing": "displaced", "detained": "other", "arrested": "other",
              "missing": "other"}
_QUALIFIER = {"at least": "at_least", "more than": "more_than", "over": "more_than", "about": "about",
              "around": "about", "nearly": "about", "almost": "about", "some": "about", "an estimated": "about",
              "approximately": "about", "roughly": "about", "up to": "up_to", "as many as": "up_to"}
_POPULATION = {"civilians": "civilians", "migrants": "migrants", "refugees": "refugees", "fighters": "fighters",
               "soldiers": "fighters", "troops": "fighters", "combatants": "fighters", "children": "children",
               "cadets": "cadets", "women": "women"}


def number_value(phrase: str) -> tuple[float | None, str]:
    """The number a phrase states, and how it was read ('' for digits)."""
    p = phrase.lower().strip()
    if p in _VAGUE:
        return float(_VAGUE[p]), f"vague:{p}→{_VAGUE[p]}"
    m = re.fullmatch(r"([\d,.]+)(?:\s+(thousand|million))?", p)
    if m:
        v = float(m.group(1).replace(",", ""))
        mult = {"thousand": 1000, "million": 1_000_000}.get(m.group(2) or "", 1)
        return v * mult, "" if mult == 1 else f"words:{p}"
    total, cur = 0, 0
    for w in re.split(r"[\s-]+", p):
        if w in _UNITS:
            cur += _UNITS[w]
        elif w in _TENS:
            cur += _TENS[w]
        elif w == "hundred":
            cur = max(cur, 1) * 100
        elif w == "thousand":
            total += max(cur, 1) * 1000
            cur = 0
        else:
            return None, ""
    return float(total + cur), f"words:{p}"


def _num(v: float) -> str:
    return f"{v:g}" if v != int(v) else str(int(v))


# -- events, responses, support ---------------------------------------------------------------------
_EVENT_WORDS: list[tuple[str, str]] = [
    ("airstrike", (r"air ?strikes?|air raids?|drone strikes?|airstrikes?|bombed|bombing|missile strikes?|struck by a missile|"
                  r"fired by a drone|strikes? (?:hit|hits|struck|targeted)")),
    ("shelling", r"shelling|shelled|rockets? (?:were |was )?fired|mortar|artillery fire"),
    ("territorial_claim", (r"seized|captured|took control|taken control|taking control|retook|retaken|recaptured|"
                          r"regained control|gained control|overran|overrun|entered")),
    ("withdrawal", r"withdrew|withdrawn|pulled out|retreated"),
    ("armed_clash", r"clashes|clashed|fighting|battles?|fought"),
    ("offensive", r"offensive|advance[ds]?|assault"),
    ("ceasefire", (r"(?:agreed|signed|announced|declared|accepted)\s+(?:to\s+)?(?:a\s+|an\s+|the\s+)?(?:[\w-]+\s+){0,2}"
                  r"(?:ceasefire|truce)|(?:ceasefire|truce)\s+(?:took effect|began|came into force|held)")),
]
_RESPONSES: list[tuple[str, str]] = [
    ("inquiry", (r"called for (?:an? )?(?:independent |international |urgent )?(?:inquiry|investigation)|"
                r"(?:ordered|launched|opened) (?:an? )?(?:inquiry|investigation|fact-finding)")),
    ("truce_call", r"(?:called|calls|urged|urges|pleaded|appealed)\b[^.;]{0,80}\b(?:ceasefire|truce|halt|de-escalat\w+|cessation)"),
    ("condemnation", r"condemned|condemns|denounced|denounces|deplored"),
    ("resolution", r"adopted (?:a |the )?resolution|resolution \d{3,4}"),
    ("sanctions", r"imposed sanctions|sanctioned"),
    ("talks", r"\bmet\b|held talks|hosted talks"),
    ("conference", r"hosted (?:a |an |the )?conference|conference (?:in|on) "),
]
_RESPONSE_TEXT = {"inquiry": "calls for an inquiry", "truce_call": "calls for a truce", "condemnation": "condemns it",
                  "resolution": "adopts a resolution", "sanctions": "imposes sanctions", "talks": "holds talks",
                  "conference": "holds a conference", "statement": "makes a statement"}
_EVENT_TEXT = {"airstrike": "Airstrike", "shelling": "Shelling", "territorial_claim": "Control of territory",
               "withdrawal": "Withdrawal", "armed_clash": "Fighting", "offensive": "Offensive",
               "ceasefire": "Ceasefire", "statement": "Statement"}
_DENIAL = re.compile(r"\b(?:denied|denies|deny|denying|rejected (?:the )?(?:claims?|reports?|accusations?)|"
                     r"dismissed (?:the )?(?:claims?|reports?))\b", re.IGNORECASE)
_BACKED = re.compile(r"\b(?:backed|supported|armed|funded|bankrolled|trained)\s+by\s+(?P<list>[^.;:()]+?)(?=,\s+(?:which|who|that)\b|[.;:()]|$)", re.IGNORECASE)
_SUPPLY = re.compile(r"\b(?:sent|supplied|provided|delivered|shipped|deployed)\s+(?P<what>[^.;]{1,80}?)\s+to\s+(?:help\s+)?", re.IGNORECASE)
_SUPPORT_TYPE = [("air_power", r"drones?|aircraft|jets?|warplanes?|air support|air defen[cs]e"),
                 ("mercenaries", r"mercenar\w+|fighters|contractors"), ("troops", r"troops|soldiers"),
                 ("arms_and_equipment", r"weapons|arms|armou?red vehicles|equipment|ammunition|missiles"),
                 ("training", r"train\w*"), ("financial", r"money|funds|funding|financ\w+|bankroll\w*")]
_PLACE = re.compile(r"\b(?:in|at|near|outside|around)\s+(?:the\s+)?(?P<p>(?:al-)?[A-Z][\w'’-]+(?:\s+(?:al-)?[A-Z][\w'’-]+){0,3})")


def _place(sentence: str, actors: ActorIndex, mentions: list[Mention]) -> str:
    for m in _PLACE.finditer(sentence):
        if any(x.start < m.end("p") and m.start("p") < x.end for x in mentions):
            continue  # "in Libya" inside "UN Support Mission in Libya" is not a place
        p = m.group("p")
        words = p.split()
        while words and words[-1] in _MONTHS_DAYS:
            words.pop()
        p = " ".join(words)
        if p and p not in _MONTHS_DAYS and not actors.is_known_alias(p) and not re.search(_ORG_WORDS, p):
            return p
    return ""


def _support_type(text: str) -> str:
    for t, pat in _SUPPORT_TYPE:
        if re.search(rf"\b(?:{pat})\b", text, re.IGNORECASE):
            return t
    return "unspecified"


@dataclass
class Context:
    source_id: str
    published: dt.date
    actors: ActorIndex
    columns: dict[str, list[str]]  # table -> schema columns
    existing: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # table -> rows already in data/
    used_ids: set[str] = field(default_factory=set)
    new_actors: dict[str, dict[str, str]] = field(default_factory=dict)
    places: list[str] = field(default_factory=list)  # the article's places, most named first


def _short(source_id: str) -> str:
    return source_id.split("-")[0][:10] or "src"


def _claim_id(ctx: Context, table: str, what: str) -> str:
    base = f"{PREFIX[table]}-{_short(ctx.source_id)}-{slug(what, 5)}"
    cid, n = base, 2
    while cid in ctx.used_ids:
        cid, n = f"{base}-{n}", n + 1
    ctx.used_ids.add(cid)
    return cid


def _row(ctx: Context, table: str, values: dict[str, str], rule: list[str]) -> Candidate:
    cols = ctx.columns[table]
    row = {c: "" for c in cols}
    for k, v in values.items():
        if k in row:
            row[k] = v
    if "stance" in row and not row["stance"]:
        row["stance"] = "supports"
    for c in cols:
        if c in REQUIRED.get(table, ()) and not row[c]:
            rule.append(f"fill:{c}")
    return Candidate(table, rule, row)


REQUIRED: dict[str, set[str]] = {}  # table -> required columns; set by propose()


def _date_fields(hit: DateHit | None, pub: dt.date, prefix: str = "date") -> tuple[dict[str, str], str]:
    prec_col = "date_precision" if prefix == "date" else f"{prefix}_precision"
    basis_col = "date_basis" if prefix == "date" else f"{prefix}_basis"
    if hit is None:
        return {prefix: pub.isoformat(), prec_col: "day", basis_col: undated(pub)}, "date:report"
    out = {prefix: hit.date.isoformat(), prec_col: hit.precision, basis_col: hit.basis}
    if hit.date_end:
        out[f"{prefix}_end"] = hit.date_end.isoformat()
    return out, f"date:'{hit.phrase}'"


def _match_key(ctx: Context, table: str, key_col: str, pred) -> str | None:
    for r in ctx.existing.get(table, []):
        if pred(r):
            return r.get(key_col)
    return None


def _actor_rule(mentions: list[Mention]) -> list[str]:
    out = []
    for m in mentions:
        if m.how.startswith("fuzzy"):
            out.append(f"actor:{m.how}")
        elif m.how == "new":
            out.append(f"actor:new({m.actor_id})")
    if mentions and all(m.how == "exact" for m in mentions):
        out.append("actor:exact")
    return out


def _register_new(ctx: Context, mentions: list[Mention], quote: str, rules_out: list[Candidate]) -> None:
    for m in mentions:
        if m.how != "new" or m.actor_id in ctx.new_actors or m.actor_id in ctx.actors.rows:
            continue
        before = quote[max(0, m.start - 40):m.start]
        kind = "person" if _PERSON_CUE.search(before) else ""
        row = {"actor_id": m.actor_id, "name": m.text, "aliases": m.text, "kind": kind}
        ctx.new_actors[m.actor_id] = row
        rules_out.append(_row(ctx, "actors", row, ["actor:new", "sentence"]))


def _for_sentence(ctx: Context, s: str, last_event: list[str]) -> list[Candidate]:
    pub, actors = ctx.published, ctx.actors
    out: list[Candidate] = []
    mentions = actors.find(s)
    known = [m for m in mentions if m.how != "new"]
    dates = find_dates(s, pub)
    first_date = dates[0] if dates else None
    spk, relay = speaker(s, mentions)
    place = _place(s, actors, mentions)
    base_rule = ["sentence"]

    def ids(ms: list[Mention]) -> list[str]:
        seen: list[str] = []
        for m in ms:
            if m.actor_id not in seen:
                seen.append(m.actor_id)
        return seen

    # figures ----------------------------------------------------------------------------------
    figs: list[tuple[re.Match, str]] = []
    for m in _FIG_A.finditer(s):
        figs.append((m, _METRIC_OF[m.group("metric").lower()]))
    for m in [*_FIG_B.finditer(s), *_FIG_C.finditer(s)]:
        if any(f.start() <= m.start("num") < f.end() for f, _ in figs):
            continue
        word = (m.groupdict().get("metric") or m.group("verb")).lower()
        if word == "leaving" and not m.groupdict().get("metric"):
            continue
        figs.append((m, _METRIC_OF[word]))
    for m, metric in sorted(figs, key=lambda x: x[0].start()):
        value, how = number_value(m.group("num"))
        if value is None:
            continue
        hedge = (m.group("hedge") or "").strip().lower()
        qualifier = _QUALIFIER.get(hedge, "exact")
        rule = base_rule + [f"figure:'{m.group(0).strip()}'"]
        if how:
            rule.append(how)
        if hedge:
            rule.append(f"hedge:{hedge}")
        low = high = ""
        if how.startswith("vague") and qualifier == "exact":
            qualifier = "at_least"
        if m.groupdict().get("num2"):
            v2, _ = number_value(m.group("num2"))
            if v2 is not None and v2 > value:
                low, high = _num(value), _num(v2)
                rule.append("range")
        if hedge == "fewer than":
            rule.append("check:qualifier ('fewer than' has no schema value)")
        if metric == "other":
            rule.append(f"metric:other({m.groupdict().get('metric') or m.group('verb')})")
        mid = (m.group("mid") or "").lower()
        pop = "all"
        for w, p in _POPULATION.items():
            if re.search(rf"\b{w}\b", mid + " " + m.group(0).lower()):
                pop = p
        if pop == "migrants" and re.search(r"detention", s, re.IGNORECASE):
            pop = "detained_migrants"
        by, via = "", ""
        if spk and spk.how != "new":
            by = spk.actor_id
            if relay:
                by, via = spk.actor_id, relay.actor_id
        elif spk:
            by = spk.actor_id
        # the date of a figure is the date it was given ('said on Wednesday'), else the report's
        said = next((d for d in dates if re.search(rf"{_SPEECH}\s*$", s[max(0, d.start - 20):d.start], re.IGNORECASE)
                     or re.match(rf"^,?\s*(?:the\s+)?[\w\s]{{0,40}}{_SPEECH}\b", s[d.end:d.end + 50], re.IGNORECASE)), None)
        dfields, drule = _date_fields(said, pub, "as_of")
        if said is None:
            dfields["as_of_basis"] = f"no date given for the figure; dated to the report, published {long_date(pub)}"
        rule.append(drule)
        if spk:
            rule.append(f"reported_by:'{spk.text}'" + (f" via '{relay.text}'" if relay else ""))
        rule += _actor_rule([x for x in (spk, relay) if x])
        # scope: a figure always has a period and a place; when the sentence gives neither, propose
        # the date of the event it names (or the as-of date) and the article's main place, flagged
        other = next((d for d in dates if d is not said), None)
        if other is not None:
            pfields, _ = _date_fields(other, pub, "period_start")
            period_start = pfields.get("period_start", "")
            rule.append("period_start:event date in the sentence")
        else:
            period_start = dfields.get("as_of", "")
            rule.append("period_start:as_of (not stated; check)")
        if not place and ctx.places:
            place = ctx.places[0]
            rule.append("place:article's main place (check)")
        vals = {"metric": metric, "value": _num(value), "low": low, "high": high, "qualifier": qualifier,
                "population": pop, "place": place, "reported_by": by, "reported_via": via, "period_start": period_start,
                "status": "reported", "source_id": ctx.source_id, "quote": s, "originator": by, **dfields}
        key = _match_key(ctx, "tolls", "figure_id", lambda r, metric=metric, as_of=vals["as_of"], by=by:
                         r.get("metric") == metric and r.get("as_of") == as_of and r.get("reported_by") == by and by)
        if key:
            rule.append("key:existing")
        vals["figure_id"] = key or slug(f"{metric} {place or pop} {by or 'unattributed'} {vals['as_of']}", 9)
        vals["claim_id"] = _claim_id(ctx, "tolls", f"{metric} {_num(value)} {place}")
        out.append(_row(ctx, "tolls", vals, rule))

    # support ------------------------------------------------------------------------------------
    for m in _BACKED.finditer(s):
        backers = [x for x in known if m.start("list") <= x.start < m.end("list")]
        before = [x for x in known if x.end <= m.start()]
        if not backers or not before:
            continue
        recipient = before[-1]
        stype = _support_type(s[max(0, m.start() - 40):m.end()].replace(m.group("list"), ""))
        for b in backers:
            rule = base_rule + [f"support:'{m.group(0).split()[0]} by'"] + _actor_rule([b, recipient])
            vals = {"backer_id": b.actor_id, "recipient_id": recipient.actor_id, "support_type": stype,
                    "period": f"as reported on {long_date(pub)}" if first_date is None else first_date.phrase,
                    "detail": f"{actors.name(b.actor_id)} backs {actors.name(recipient.actor_id)} (as the source puts it)",
                    "status": "reported", "source_id": ctx.source_id, "quote": s}
            vals["claim_id"] = _claim_id(ctx, "support", f"{b.actor_id} {recipient.actor_id}")
            out.append(_row(ctx, "support", vals, rule))
    for m in _SUPPLY.finditer(s):
        backers = [x for x in known if x.end <= m.start()]
        after = [x for x in known if x.start >= m.end() and x.start - m.end() < 5]
        if not backers or not after:
            continue
        b, r = backers[-1], after[0]
        rule = base_rule + [f"support:'{m.group(0).split()[0]} … to'"] + _actor_rule([b, r])
        vals = {"backer_id": b.actor_id, "recipient_id": r.actor_id, "support_type": _support_type(m.group("what")),
                "period": first_date.phrase if first_date else f"as reported on {long_date(pub)}",
                "detail": f"{actors.name(b.actor_id)} {m.group(0).split()[0]} {m.group('what')} (as the source puts it)",
                "status": "claimed" if spk and actors.is_party(spk.actor_id) else "reported",
                "source_id": ctx.source_id, "quote": s}
        vals["claim_id"] = _claim_id(ctx, "support", f"{b.actor_id} {r.actor_id}")
        out.append(_row(ctx, "support", vals, rule))

    # denial (a counter-claim) -----------------------------------------------------------------
    denial = _DENIAL.search(s)
    if denial and spk:
        dfields, drule = _date_fields(first_date, pub)
        rule = base_rule + ["denial", drule] + _actor_rule([spk])
        target = last_event[-1] if last_event else ""
        if target:
            rule.append(f"disputes:{target} (the article's previous event; check)")
        else:
            rule.append("fill:disputes (the event it denies)")
        vals = {"event_type": "statement", "actor_ids": spk.actor_id, "place": place,
                "summary": f"{actors.name(spk.actor_id) if spk.how != 'new' else spk.text} denies it (a counter-claim)",
                "status": "claimed", "claimed_by": spk.actor_id, "disputes": target, "source_id": ctx.source_id,
                "quote": s, "stance": "refutes", "originator": spk.actor_id, **dfields}
        vals["event_id"] = slug(f"{spk.actor_id} denial {vals['date']}", 8)
        vals["claim_id"] = _claim_id(ctx, "events", f"{spk.actor_id} denial")
        out.append(_row(ctx, "events", vals, rule))
        return out

    # responses by outside actors ------------------------------------------------------------
    response = None
    for rtype, pat in _RESPONSES:
        rm = re.search(pat, s, re.IGNORECASE)
        if rm:
            response = (rtype, rm)
            break
    # who responds: the speaker, else the actor named last before the verb (never one named after it)
    subject = spk or (next((m for m in reversed(known) if m.end <= response[1].start()), None) if response else None)
    if response and subject and subject.how != "new" and actors.is_outside(subject.actor_id):
        rtype, rm = response
        dfields, drule = _date_fields(first_date, pub)
        rule = base_rule + [f"response:'{rm.group(0).strip()}'", drule] + _actor_rule([subject])
        vals = {"actor_id": subject.actor_id, "response_type": rtype,
                "summary": f"{actors.name(subject.actor_id)} {_RESPONSE_TEXT[rtype]}", "status": "reported",
                "source_id": ctx.source_id, "quote": s, **dfields}
        key = _match_key(ctx, "responses", "response_id", lambda r: r.get("actor_id") == subject.actor_id
                         and r.get("response_type") == rtype and r.get("date") == vals["date"])
        if key:
            rule.append("key:existing")
        vals["response_id"] = key or slug(f"{subject.actor_id} {rtype} {vals['date']}", 8)
        vals["claim_id"] = _claim_id(ctx, "responses", f"{subject.actor_id} {rtype}")
        out.append(_row(ctx, "responses", vals, rule))
        return out

    # events ---------------------------------------------------------------------------------------
    etype, ew = None, None
    for t, pat in _EVENT_WORDS:
        em = re.search(rf"\b(?:{pat})\b", s, re.IGNORECASE)
        if em:
            etype, ew = t, em
            break
    if etype is None and response and subject and actors.is_libyan(subject.actor_id):
        etype, ew = "statement", response[1]
    if etype is not None:
        actor_ms = [m for m in known if not (spk and m is spk and not actors.is_party(m.actor_id))]
        party = [m for m in actor_ms if actors.is_libyan(m.actor_id)] or actor_ms
        a_ids = ids(party) or ["unattributed"]
        claimed = bool(spk and spk.how != "new" and actors.is_party(spk.actor_id))
        dfields, drule = _date_fields(first_date, pub)
        rule = base_rule + [f"event:'{ew.group(0)}'", drule] + _actor_rule(party)
        if claimed:
            rule.append(f"claim:{spk.actor_id}")
        if a_ids == ["unattributed"]:
            rule.append("actors:none named")
        label = _EVENT_TEXT[etype]
        who = ", ".join(actors.name(a) for a in a_ids if a != "unattributed")
        summary = f"{label}{' in ' + place if place else ''}{' (' + who + ')' if who else ''}"
        if claimed:
            summary = f"{actors.name(spk.actor_id)} claims: {summary[0].lower() + summary[1:]}"
        vals = {"event_type": etype, "actor_ids": ";".join(a_ids), "place": place, "summary": summary,
                "status": "claimed" if claimed else "reported", "claimed_by": spk.actor_id if claimed else "",
                "source_id": ctx.source_id, "quote": s, "originator": spk.actor_id if spk and spk.how != "new" else "",
                **dfields}
        key = None if vals["date_precision"] != "day" else _match_key(
            ctx, "events", "event_id", lambda r: r.get("date") == vals["date"] and r.get("date_precision") == "day" and (
                (r.get("event_type") == etype and set(r.get("actor_ids", "").split(";")) & (set(a_ids) - {"unattributed"}))
                or (place and r.get("place", "").split(",")[0].strip().lower() == place.lower())))
        if key:
            rule.append("key:existing")
        vals["event_id"] = key or slug(f"{a_ids[0]} {etype} {place} {vals['date']}", 9)
        vals["claim_id"] = _claim_id(ctx, "events", f"{a_ids[0]} {etype} {place}")
        last_event.append(vals["event_id"])
        out.append(_row(ctx, "events", vals, rule))
    return out


def propose(text: str, ctx: Context, required: dict[str, set[str]]) -> list[Candidate]:
    """Every candidate claim in the text, in the order of the sentences they quote."""
    REQUIRED.clear()
    REQUIRED.update(required)
    for rows in ctx.existing.values():
        ctx.used_ids |= {r.get("claim_id", "") for r in rows}
    out: list[Candidate] = []
    last_event: list[str] = []
    counts: dict[str, int] = {}
    for sent in sentences(text):
        pl = _place(sent, ctx.actors, ctx.actors.find(sent))
        if pl:
            counts[pl] = counts.get(pl, 0) + 1
    ctx.places = sorted(counts, key=lambda k: -counts[k])
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    title = paras[0] if paras else ""
    for s in sentences(text):
        if s == title and not re.search(r"[.!?]$", s):
            continue  # the headline restates the first paragraph; its claims are proposed from the text
        found = _for_sentence(ctx, s, last_event)
        if found:  # unknown named actors of a sentence that yields a claim are proposed as new actors
            _register_new(ctx, ctx.actors.find(s), s, found)
        out.extend(found)
    return out
