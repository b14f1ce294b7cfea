"""Free-text answers over the forum program: FAQ, sessions, sections, speakers, venues, cities,
and questions about a moment ("what is on now", "the programme for Friday").

Every word goes through the same pipeline, for the program's texts and for a question alike:
fold the letters (ё→е, Belarusian і/ў/э onto Russian-like letters, soft signs dropped), map the
Belarusian inflections that differ from Russian ones (-ага, -аму, -ае, -ай, -ыя) onto them, stem
with Snowball (Russian for Cyrillic, English for Latin), then reduce the stem to a rough sound
key in Latin letters. The key makes Cyrillic, Belarusian and Latin spellings of a name meet
(Магілёў, Могилёва, Mahilyow). PyPI has no maintained Belarusian stemmer that works offline
(the lemmatizers there download their dictionaries at run time), hence the folding.

A question word matches a key exactly, as a shorter or longer form of it (a dropped ending,
a missing last letter), or — only when the program has no such word — as a typo of a word with
the same first letter: so `закрытие` never becomes `открытие`, nor `адрес` `дресс`.

A document scores the idf-weighted share of the question it matches, each word by its best
field (a title over keywords over a description), times how many of the question's distinctive
words it covers. `Answerer.answer` turns the ranking into one decision: a card when the best
match is confident and clearly ahead, "did you mean" choices when it is not, nothing when
nothing is close.
"""

from __future__ import annotations

import asyncio
import bisect
import heapq
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

import snowballstemmer
from rapidfuzz import fuzz, process

from bot.program.model import CityPair, Program, Session
from bot.services import intents
from bot.services.cities import same_city_pairs
from bot.services.intents import Moment, fold
from bot.services.towns import town_names

if TYPE_CHECKING:
    from aiogram import Dispatcher

    from bot.services.program import ProgramService

logger = logging.getLogger(__name__)

KINDS = ("faq", "section", "session", "city", "speaker", "venue")
# On equal scores the more specific answer wins.
KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}

# Calibrated on the tuning part of tests/data (see tests/unit/test_search_quality.py):
# a card needs this confidence and this lead over the next different answer ...
CONFIDENT = 0.5
MARGIN = 0.12
# ... "did you mean" shows the matches above this (at most CHOICES of them) ...
POSSIBLE = 0.3
CHOICES = 4
# The matches a decision looks at (a boost cannot lift one from further down to the top).
RANKED = 40
# ... and below POSSIBLE the bot says it found nothing. THRESHOLD is kept for callers that
# only need "is this an answer at all" (the /cities command).
THRESHOLD = POSSIBLE

# Words that say how a question is asked rather than what it is about.
_STOPWORDS = """
    где когда как какой какая какое какие каком какую что чем кто кого куда откуда сколько
    во сколько ли есть будет будут быть мне меня мой моя мое мои моего моих я ты вы мы он она
    они их его ее им нам вам можно нужно надо нельзя у в во на с со по о об обо и а но или к ко
    до от для из за под над при про это этот эта эти тот та те там тут здесь же бы не ни уже
    еще ещё подскажите скажите расскажите пожалуйста пож хочу хотел хотела хотим можете
    узнать найти посмотреть начинается начнется начало идет проходит проводится будет
    находится расположен время час который которая которые весь все всё вся свой своя свои
    какой-нибудь там ну вот так да нет привет здравствуйте спасибо подскажи скажи интересует
    такой такая такое такие своего своей своих моей нашего наших наш наша наше ваш ваша
    свайго сваёй маёй нашага майго
    дзе калі як які якая якое якія што хто каго куды адкуль колькі ці ёсць будзе мне мяне
    мой мая маё мае я ты вы мы ён яна яны іх яго яе у ў на з са па пра аб і а але або да ад
    для праз пад над пры гэта гэты гэтая там тут тут жа б не ні ўжо яшчэ падкажыце скажыце
    калі ласка хачу можна трэба знайсці даведацца пачынаецца пачатак ідзе праходзіць
    знаходзіцца час які вось так дзякуй падкажы скажы прывітанне добры дзень
    where when what who whom which how is are was were be will the a an of to in on at for
    do does did i my me we you your our can could should would there here it its this that
    these those and or with about from by please tell want need know find get see take place
    start starts starting begin begins held hold located any some much many time hi hello
    thanks thank s whats what's up out off get got go going come pick let also just into then
    than so if all has have had am as us them they he she his her like may might must shall
    there's it's i'm need needs ok okay ок окей нормально allowed нужен нужна нужны брать
    взять получить получать узнать
    форум форума форуме форуму форумом форумы форумов forum forums фарум
    прямо вообще точно именно right exactly actually проста менавіта
    event events мероприятие мероприятия мерапрыемства мерапрыемства
    будем будете буду будешь будзем будзеце буду нибудь небудь небудзь какойнибудь
    якинебудь
    сделать делать пойти прийти приходить прыйсці узяць атрымаць патрэбны патрэбна трэба
    """

_CYR_TO_LAT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
    }
)
# Digraphs of the usual transliterations, longest first, then single letters that vary between
# transliterations and between Russian and Belarusian (о/а akanye, г/h, в/ў/w, и/і/ы/й/y).
_DIGRAPHS = (
    ("shch", "s"),
    ("sch", "s"),
    ("kh", "h"),
    ("zh", "z"),
    ("ch", "c"),
    ("sh", "s"),
    ("ts", "c"),
    ("tz", "c"),
    ("ck", "k"),
    ("ph", "f"),
    ("th", "t"),
    ("dz", "d"),
)
_LETTERS = str.maketrans({"o": "a", "g": "h", "w": "v", "y": "i", "j": "i", "x": "ks", "q": "k"})
# Belarusian ў typed as у (Магілёу): after a vowel, u sounds like the v the fold makes of ў.
_VOWEL_U = re.compile(r"(?<=[ae])u")
_WORD = re.compile(r"[^\W_]+(?:[-'’ʼ][^\W_]+)*")
_CYRILLIC = re.compile(r"[а-я]")
# Belarusian endings whose Russian counterparts the Russian stemmer removes.
_BE_ENDINGS = (
    ("ага", "ого"),
    ("яга", "его"),
    ("аму", "ому"),
    ("яму", "ему"),
    ("ае", "ое"),
    ("ай", "ой"),
    ("ыя", "ые"),
    ("ия", "ие"),
)

_RU = snowballstemmer.stemmer("russian")
_EN = snowballstemmer.stemmer("english")


STOPWORDS = frozenset(fold(_STOPWORDS).split())


def words(text: str) -> list[str]:
    """The folded words of a text; a hyphenated word also gives its parts."""
    found: list[str] = []
    for match in _WORD.finditer(fold(text)):
        word = match.group(0)
        parts = re.split(r"[-'’ʼ]", word)
        if len(parts) > 1:
            found.append("".join(parts))
            found.extend(parts)
        else:
            found.append(word)
    return found


def phonetic(stem: str) -> str:
    """A rough sound key in Latin letters, equal for most spellings of the same word."""
    key = stem.translate(_CYR_TO_LAT)
    for pair, single in _DIGRAPHS:
        key = key.replace(pair, single)
    key = _VOWEL_U.sub("v", key.translate(_LETTERS))
    return re.sub(r"(.)\1+", r"\1", key)


def stem(word: str) -> str:
    if not _CYRILLIC.search(word):
        return _EN.stemWord(word)
    if len(word) > 5:
        for ending, russian in _BE_ENDINGS:
            if word.endswith(ending):
                word = word[: -len(ending)] + russian
                break
    return _RU.stemWord(word)


@lru_cache(maxsize=50000)
def word_key(word: str) -> str:
    return phonetic(stem(word))


def content(word: str) -> bool:
    """Whether a folded word can say what a question is about."""
    return word not in STOPWORDS and (len(word) > 1 or word.isdigit())


def keys(text: str) -> list[str]:
    """The search keys of a text, without the words that only shape a question."""
    return [word_key(w) for w in words(text) if content(w)]


def question_keywords(text: str, limit: int = 12) -> list[str]:
    """The words of a question that say what it is about, as typed: an FAQ entry saved from
    the inbox is found by the words its asker used."""
    found: dict[str, str] = {}
    for match in _WORD.finditer(text):
        word = match.group(0)
        folded = fold(word)
        if content(folded) and not folded.isdigit():
            found.setdefault(word_key(folded), word.lower())
    return list(found.values())[:limit]


@lru_cache(maxsize=1)
def _concepts() -> dict[str, str]:
    """Word key → the token of its everyday-need group (intents.CONCEPTS)."""
    found: dict[str, str] = {}
    for n, group in enumerate(intents.CONCEPTS):
        for word in words(group):
            found.setdefault(word_key(word), f"~{n}")
    return found


Term = tuple[str, ...]  # one question word: its key, then the token of its group, if any


def term(key: str) -> Term:
    concept = _concepts().get(key)
    return (key, concept) if concept else (key,)


def doc_keys(text: str) -> set[str]:
    """A document text's keys with the group tokens of its words."""
    found = set()
    for key in keys(text):
        found.update(term(key))
    return found


def min_ratio(key: str) -> float | None:
    """How similar another key must be to count as a typo of this one (None: exact only)."""
    if len(key) <= 3 or key.isdigit():
        return None
    return 85.0 if len(key) <= 5 else 80.0


# A key and a longer key starting with it (a dropped ending, a missing last letter).
PREFIX_SIM = 0.85
PREFIX_MIN = 4
PREFIX_MAX_EXTRA = 3


def related(shorter: str, longer: str) -> bool:
    """Whether `longer` is `shorter` with an ending: a short stem takes a short ending only."""
    extra = len(longer) - len(shorter)
    if len(shorter) < PREFIX_MIN or not 0 <= extra <= PREFIX_MAX_EXTRA:
        return False
    allowed = 1 if len(shorter) == 4 else 2 if len(shorter) <= 6 else PREFIX_MAX_EXTRA
    return extra <= allowed and longer.startswith(shorter)


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str  # faq, session, section, city, speaker, venue
    id: str
    score: float  # the confidence, 0..1

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


# Field weights: what a word's place in a document says about how much it is about it.
TITLE, KEYWORDS, KIND_WORDS, PEOPLE, DESCRIPTION, PLACE, ANSWER = (
    1.0,
    0.9,
    0.7,
    0.45,
    0.35,
    0.3,
    0.3,
)


@dataclass(slots=True)
class _Doc:
    kind: str
    id: str
    weights: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, weight: float, texts: Iterable[str]) -> None:
        for text in texts:
            for key in doc_keys(text):
                self.weights[key].append(weight)

    def term_weights(self) -> dict[str, float]:
        """The best field's weight, plus a little for each other field that has the word."""
        found = {}
        for key, ws in self.weights.items():
            ws = sorted(ws, reverse=True)
            found[key] = ws[0] + 0.1 * min(2, len(ws) - 1)
        return found


def _all(*texts: object) -> list[str]:
    return [v for t in texts for v in t.all()]  # type: ignore[attr-defined]


# Words for what a session is, by its kind (kinds a newer loader adds are welcome here).
_KIND_TEXT = {
    "plenary": "пленарное заседание пленарка пленарнае пасяджэнне plenary session",
    "youth": "молодёжь молодёжный молодёжная встреча моладзевая сустрэча моладзь youth meeting",
    "excursion": "экскурсия экскурсія excursion tour",
    "signing": "подписание соглашений падпісанне пагадненняў signing agreements",
    "press": "пресса журналисты прэса журналісты press media journalists",
    "registration": "регистрация рэгістрацыя registration",
    "break": "перерыв перапынак break",
    "concert": "концерт канцэрт concert",
    "round_table": "круглый стол круглы стол round table",
    "culture": "культурная программа культурная праграма culture",
    "business": "бизнес бізнес business",
}
OPENING = "открытие открытия адкрыццё адкрыцця opening open opens торжественное урачыстае"
CLOSING = (
    "закрытие закрытия закрыццё закрыцця closing close closes final итоги итоговое итоговая "
    "вынікі выніковае выніковая заключительное"
)


def _opening_closing(program: Program) -> dict[str, str]:
    """Extra words for the forum's opening and closing sessions, where the kinds do not say.

    The first plenary session opens the forum and the last one (another one) closes it."""
    found: dict[str, str] = {}
    kinds = {str(s.kind) for s in program.sessions}
    plenaries = [s for s in program.sessions if str(s.kind) == "plenary" and not s.cancelled]
    if "opening" not in kinds and plenaries:
        found[plenaries[0].id] = OPENING
    if "closing" not in kinds and len(plenaries) > 1:
        found[plenaries[-1].id] = CLOSING
    for session in program.sessions:
        if str(session.kind) == "opening":
            found[session.id] = OPENING
        elif str(session.kind) == "closing":
            found[session.id] = CLOSING
    return found


def _documents(program: Program) -> Iterable[_Doc]:
    for entry in program.faq:
        doc = _Doc("faq", entry.id)
        doc.add(TITLE, entry.question.all())
        doc.add(KEYWORDS, entry.keywords)
        doc.add(ANSWER, entry.answer.all())
        yield doc
    for section in program.sections:
        doc = _Doc("section", section.id)
        doc.add(TITLE, section.title.all())
        # "секция 3", "секцыя 3", "section 3": people name sections by their number.
        doc.add(1.2, [f"секция секцыя section {section.number or ''}"])
        doc.add(KEYWORDS, section.keywords)
        # Its meetings are part of it: "agriculture section" finds the section first.
        doc.add(0.8, [v for s in program.sessions_of_section(section.id) for v in s.title.all()])
        doc.add(DESCRIPTION, section.description.all())
        doc.add(PEOPLE * 0.8, _people(program, section.moderators))
        doc.add(PLACE, _place(program, section.venue, section.hall))
        yield doc
    extra = _opening_closing(program)
    for session in program.sessions:
        doc = _Doc("session", session.id)
        doc.add(TITLE, session.title.all())
        doc.add(KEYWORDS, session.keywords)
        doc.add(KIND_WORDS, [_KIND_TEXT.get(str(session.kind), ""), extra.get(session.id, "")])
        doc.add(DESCRIPTION, session.description.all())
        doc.add(PEOPLE, _people(program, session.speakers + session.moderators))
        doc.add(PLACE, _place(program, session.venue, session.hall))
        sec = program.section(session.section)
        if sec is not None:
            doc.add(PLACE, sec.title.all())
        yield doc
    for pair in program.city_pairs:
        doc = _Doc("city", pair.id)
        # A city's name is what people type to find it: it outweighs a title that mentions it.
        doc.add(1.25, _all(pair.by_city, pair.ru_city) + list(pair.aliases))
        # No "twin city" words here: a question naming partners goes to Answerer._partners,
        # and those words in 300 documents would make every such question slow.
        doc.add(0.5, _all(pair.by_region, pair.ru_subject))
        yield doc
    for speaker in program.speakers:
        doc = _Doc("speaker", speaker.id)
        doc.add(1.1, speaker.name.all())
        doc.add(DESCRIPTION, _all(speaker.position, speaker.organization))
        yield doc
    for venue in program.venues:
        doc = _Doc("venue", venue.id)
        doc.add(TITLE, venue.name.all())
        doc.add(0.7, [v for hall in venue.halls for v in hall.name.all()])
        doc.add(0.5, venue.address.all())
        yield doc


def _people(program: Program, refs: Iterable[str]) -> list[str]:
    return [name for ref in refs for name in program.person(ref).name.all()]


def _place(program: Program, venue_id: str | None, hall_id: str | None) -> list[str]:
    venue = program.venue(venue_id)
    if venue is None:
        return []
    hall = venue.hall(hall_id)
    return list(venue.name.all()) + (list(hall.name.all()) if hall else [])


@dataclass(frozen=True, slots=True)
class Ranked:
    """One document's match of a question."""

    kind: str
    id: str
    share: float  # the idf-weighted share of the question matched, field-weighted (may pass 1)
    coverage: float  # the idf-weighted share of the question's words it has at all, 0..1
    firm: float = 1.0  # the share of the question's words it has as written (not as typos)

    @property
    def value(self) -> float:
        """What the ranking sorts by: matching all distinctive words beats matching one."""
        return self.share * (0.4 + 0.6 * self.coverage)

    @property
    def score(self) -> float:
        """The confidence, 0..1."""
        return min(1.0, self.value)

    def scaled(self, factor: float) -> Ranked:
        return Ranked(self.kind, self.id, self.share * factor, self.coverage, self.firm)


def _order(r: Ranked) -> tuple[float, int, str]:
    return (-round(r.value, 6), KIND_RANK[r.kind], r.id)


def ordered(ranked: Iterable[Ranked], limit: int | None = None) -> list[Ranked]:
    """Best first; only the best `limit` when given (a question's answer needs a few)."""
    if limit is None:
        return sorted(ranked, key=_order)
    return heapq.nsmallest(limit, ranked, key=_order)


class SearchIndex:
    """An inverted index of one program version; built once, then every query is cheap."""

    def __init__(self, program: Program) -> None:
        self.program = program
        docs = list(_documents(program))
        self.size = len(docs)
        postings: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)
        for doc in docs:
            for key, weight in doc.term_weights().items():
                postings[key][(doc.kind, doc.id)] = weight
        self.postings = dict(postings)
        self.vocabulary = sorted(self.postings)
        self._by_letter: dict[str, list[str]] = defaultdict(list)
        for key in self.vocabulary:
            if min_ratio(key) is not None:
                self._by_letter[key[0]].append(key)
        self.idf = {k: math.log(1 + self.size / len(p)) for k, p in self.postings.items()}
        # A word the program does not know weighs like a fairly rare one, so that a question
        # about something else entirely does not look answered by its one common word.
        self.unknown_idf = math.log(1 + self.size / 3)
        self._similar_cache: dict[str, list[tuple[str, float]]] = {}
        self._fleeting: dict[str, list[str]] = defaultdict(list)
        for key in self.vocabulary:
            self._fleeting[fleeting(key)].append(key)
        self.towns = _town_keys(program)
        # Towns by the first letters of each of their words: a word with another ending
        # shares them (see `related`).
        self.towns_by_stem: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for name_keys in self.towns:
            for key in set(name_keys):
                self.towns_by_stem[key[:4]].append(name_keys)

    def similar(self, key: str) -> list[tuple[str, float]]:
        """Vocabulary keys that the question's key may mean, with a similarity in 0..1."""
        cached = self._similar_cache.get(key)
        if cached is not None:
            return cached
        found: dict[str, float] = {}
        exact = key in self.postings
        if exact:
            found[key] = 1.0
        if len(key) >= PREFIX_MIN and not key.isdigit():
            # Longer keys starting with this one: the sorted vocabulary holds them together.
            start = bisect.bisect_left(self.vocabulary, key)
            for other in self.vocabulary[start:]:
                if not other.startswith(key):
                    break
                if other != key and related(key, other):
                    found[other] = PREFIX_SIM
            for cut in range(1, PREFIX_MAX_EXTRA + 1):
                shorter = key[:-cut]
                if shorter in self.postings and related(shorter, key):
                    found.setdefault(shorter, PREFIX_SIM)
        if not exact:
            # A vowel that comes and goes before the last consonant: дворец / дворца.
            for other in self._fleeting.get(fleeting(key), ()):
                found.setdefault(other, PREFIX_SIM)
        cutoff = min_ratio(key)
        if not exact and cutoff is not None:
            candidates = self._by_letter.get(key[0], [])
            for other, score, _ in process.extract(
                key, candidates, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3
            ):
                found.setdefault(other, min(0.8, (score / 100) ** 3))
        result = list(found.items())
        if len(self._similar_cache) > 50000:
            self._similar_cache.clear()
        self._similar_cache[key] = result
        return result

    def rank(
        self, terms: Sequence[Term], kinds: Iterable[str] | None = None, limit: int | None = None
    ) -> list[Ranked]:
        """The documents matching some of the question's words, best first (all, or `limit`)."""
        wanted = set(kinds) if kinds is not None else None
        terms = list(dict.fromkeys(terms))
        if not terms:
            return []
        raw: dict[tuple[str, str], float] = defaultdict(float)
        covered: dict[tuple[str, str], float] = defaultdict(float)
        firm: dict[tuple[str, str], float] = defaultdict(float)
        possible = 0.0
        for alternatives in terms:
            matches = self.similar(alternatives[0])
            # The word's everyday-need group counts as a near synonym.
            matches += [(c, 0.9) for c in alternatives[1:] if c in self.postings]
            if not matches:
                possible += self.unknown_idf
                continue
            weight = max(self.idf[other] * min(1.0, sim / 0.85) for other, sim in matches)
            possible += weight
            best: dict[tuple[str, str], float] = {}
            written: set[tuple[str, str]] = set()
            for other, sim in matches:
                idf = self.idf[other]
                for doc, field_weight in self.postings[other].items():
                    value = sim * field_weight * idf
                    if value > best.get(doc, 0.0):
                        best[doc] = value
                    if sim >= PREFIX_SIM:
                        written.add(doc)
            for doc, value in best.items():
                raw[doc] += value
                covered[doc] += weight
                if doc in written:
                    firm[doc] += weight
        found = (
            Ranked(
                kind,
                doc_id,
                value / possible,
                min(1.0, covered[kind, doc_id] / possible),
                min(1.0, firm[kind, doc_id] / possible),
            )
            for (kind, doc_id), value in raw.items()
            if wanted is None or kind in wanted
        )
        return ordered(found, limit)

    def search(self, query: str, limit: int = 4, kinds: Iterable[str] | None = None) -> list[Hit]:
        """The best matches, best first; an empty list when the question has no known word."""
        ranked = self.rank([term(k) for k in keys(query)], kinds, limit)
        return [Hit(r.kind, r.id, r.score) for r in ranked]


_FLEETING = re.compile(r"(?<=[^aeiu])[aeiu](?=[^aeiu]$)")


def fleeting(key: str) -> str:
    """A key without a vowel before its last consonant (Russian and Belarusian fleeting
    vowels: дворец / дворца, конец / конца), for keys long enough to stay distinct."""
    return _FLEETING.sub("", key) if len(key) >= 5 else key


def same_word(a: str, b: str) -> bool:
    return a == b or related(a, b) or related(b, a)


@lru_cache(maxsize=1)
def _gazetteer_keys() -> dict[tuple[str, ...], str]:
    return _name_keys(town_names())


def _name_keys(names: Iterable[str]) -> dict[tuple[str, ...], str]:
    found: dict[tuple[str, ...], str] = {}
    for name in names:
        name_keys = tuple(keys(name))
        if name_keys:
            found.setdefault(name_keys, name)
    return found


def _town_keys(program: Program) -> dict[tuple[str, ...], str]:
    """The keys of towns a question may name: the gazetteer and the program's own cities."""
    own = _name_keys(v for p in program.city_pairs for v in _all(p.by_city, p.ru_city))
    return {**_gazetteer_keys(), **own}


def city_partners(program: Program, hits: list[Hit]) -> list[CityPair]:
    """The pairs of the best city match and of the cities matching as well (Minsk → 2 pairs)."""
    cities = [h for h in hits if h.kind == "city"]
    if not cities:
        return []
    top = cities[0].score
    found = []
    for hit in cities:
        pair = program.city_pair(hit.id)
        if pair is not None and hit.score >= top * 0.9:
            found.append(pair)
    return found


# ---------------------------------------------------------------- the decision


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the bot answers a question with.

    kind: card (hits[0]), choices (hits: "did you mean"), moderators (hits[0] is the section
    or session whose moderators are asked for), moment (the schedule screen of `moment`),
    not_partner (`city` is not a partner city; hits: the nearest partner cities), none.
    """

    kind: str
    hits: tuple[Hit, ...] = ()
    moment: Moment | None = None
    city: str = ""

    @property
    def first(self) -> Hit | None:
        return self.hits[0] if self.hits else None


NOTHING = Outcome("none")
# Documents that are names: of cities and people.
NAMES = ("city", "speaker")


class Answerer:
    """Reads a question for its moment, place, people and partner cities, then ranks."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.program = index.program
        self._partner_keys = self._city_name_keys()
        # (the keys of a hall's name in one language, its venue): "where is the press centre"
        # names a hall, and the venue that has it is the place to show.
        self._halls = [
            (frozenset(found), venue.id)
            for venue in self.program.venues
            for hall in venue.halls
            for name in hall.name.all()
            if (found := keys(name))
        ]
        # FAQ entries that answer a "where" themselves ("Где нас поселят?") are places too.
        self._where_faq = {
            entry.id
            for entry in self.program.faq
            if any(intents.asks_where(words(q)) for q in entry.question.all())
        }

    def _city_name_keys(self) -> list[tuple[str, str]]:
        """(key of a partner city's name or alias, pair id), for near-miss suggestions."""
        found = []
        for pair in self.program.city_pairs:
            for name in [*_all(pair.by_city, pair.ru_city), *pair.aliases]:
                for key in keys(name):
                    found.append((key, pair.id))
        return found

    def answer(self, query: str, now: datetime) -> Outcome:
        program = self.program
        today = now.astimezone(program.forum.tz).date()
        query = query[:500]
        folded = words(query)[:60]
        reading = intents.read_moment(folded, today, program.forum.days)
        topic = [
            w
            for i, w in enumerate(folded)
            if i not in reading.used and i not in reading.schedule_words and content(w)
        ]
        if reading.moment is not None and not topic:
            return Outcome("moment", moment=reading.moment)
        # "где", "дзе", "where" are stopwords, so the question words are read from all of it.
        asked = [w for i, w in enumerate(folded) if i not in reading.used]
        where = 2 if intents.asks_address(asked) else 1 if intents.asks_where(asked) else 0
        speaker = intents.asks_speaker(topic)
        moderators = intents.asks_moderators(topic)
        # Words that only say what is asked about the topic ("where", "address", "who
        # moderates", "speaks") are not the topic, unless they are all there is.
        shaping = intents.WHERE_ONLY | intents.SPEAKS | intents.MODERATE
        narrowed = [w for w in topic if w not in shaping]
        topic = narrowed or topic
        topic_keys = [word_key(w) for w in topic]
        if intents.asks_partners(folded):
            outcome = self._partners(topic, topic_keys, query)
            if outcome is not None:
                return outcome
        ranked = self.index.rank([term(k) for k in topic_keys], limit=RANKED)
        halls = self._named_halls(topic_keys) if where else set()
        ranked = self._adjust(ranked, where, speaker, reading.moment, halls)
        if moderators:
            led = next((r for r in ranked[:3] if r.kind in ("section", "session")), None)
            if led is not None and led.score >= POSSIBLE and self._moderators_of(led):
                return Outcome("moderators", (Hit(led.kind, led.id, led.score),))
        outcome = self._decide(ranked)
        if outcome.kind != "card" and self._bare_town(topic_keys):
            town = self._partners(topic, topic_keys, query)
            if town is not None:
                return town
        return outcome

    def _named_halls(self, topic_keys: list[str]) -> set[str]:
        """The venues with a hall whose whole name is in the question."""
        asked = set(topic_keys)
        return {venue for found, venue in self._halls if found <= asked}

    def _adjust(
        self,
        ranked: list[Ranked],
        where: int,
        speaker: bool,
        moment: Moment | None,
        halls: set[str] | frozenset[str] = frozenset(),
    ) -> list[Ranked]:
        """Favour venues for "where" (most of all the venue of a hall named in full), speakers
        for "speaks", the sessions of a named day."""
        day = moment.day if moment is not None else None
        if not ranked or (not where and not speaker and day is None):
            return ranked
        adjusted = []
        for r in ranked:
            factor = 1.0
            if where and r.kind == "venue":
                factor = 1.6 if where == 2 or r.id in halls else 1.1
            elif where == 1 and r.kind == "faq" and r.id in self._where_faq:
                factor = 1.1
            if speaker and r.kind == "speaker":
                factor = 1.3
            if day is not None and r.kind == "session":
                session = self.program.session(r.id)
                factor = 1.2 if session is not None and session.day == day else 0.85
            adjusted.append(r.scaled(factor))
        return ordered(adjusted)

    def _moderators_of(self, ranked: Ranked) -> tuple[str, ...]:
        if ranked.kind == "section":
            section = self.program.section(ranked.id)
            return section.moderators if section else ()
        session = self.program.session(ranked.id)
        if session is None:
            return ()
        if session.moderators:
            return session.moderators
        section = self.program.section(session.section)
        return section.moderators if section else ()

    def _decide(self, ranked: list[Ranked]) -> Outcome:
        if not ranked or ranked[0].score < POSSIBLE:
            return NOTHING
        best = self._summary(ranked)
        together = self._together(best)
        others = [r for r in ranked if (r.kind, r.id) not in together]
        runner = others[0].value if others else 0.0
        # A match that rests on typos only ("weather" read as "water") is offered, not
        # stated, except for names, which people misspell most and which have no near twins.
        firm = best.firm >= 0.5 or best.kind in NAMES
        if firm and best.score >= CONFIDENT and runner <= best.value * (1 - MARGIN):
            return Outcome("card", self._card_hits(best, ranked))
        floor = max(POSSIBLE, best.value * 0.6)
        shown = [best, *[r for r in others if r.value >= floor][: CHOICES - 1]]
        return Outcome("choices", tuple(Hit(r.kind, r.id, r.score) for r in shown))

    def _card_hits(self, best: Ranked, ranked: list[Ranked]) -> tuple[Hit, ...]:
        """The card's match; for a city, with its other pairs that match as well (Minsk has
        two), not the other pairs of its partner."""
        hits = [Hit(best.kind, best.id, best.score)]
        if best.kind == "city":
            same = self._together(best)
            hits += [
                Hit(r.kind, r.id, r.score)
                for r in ranked
                if (r.kind, r.id) in same and r.id != best.id and r.value >= best.value * 0.9
            ]
        return tuple(hits)

    def _summary(self, ranked: list[Ranked]) -> Ranked:
        """The FAQ entry that links several sessions matching as well as the best one (lunch
        on each day, registration on two): it answers them all at once."""
        best = ranked[0]
        near = [r for r in ranked if r.value >= best.value * (1 - MARGIN)]
        sessions = {r.id for r in near if r.kind == "session"}
        if len(sessions) < 2:
            return best
        for r in ranked:
            if r.kind == "faq" and r.value >= best.value * 0.5:
                entry = self.program.faq_entry(r.id)
                if entry is not None and len(sessions & set(entry.sessions)) >= 2:
                    return r
        return best

    def _together(self, best: Ranked) -> set[tuple[str, str]]:
        """Matches that the best one's card already shows: a session and its section, the
        sessions an FAQ entry links, the other pairs of the same city."""
        program = self.program
        found = {(best.kind, best.id)}
        if best.kind == "session":
            session = program.session(best.id)
            if session is not None and session.section:
                found.add(("section", session.section))
        elif best.kind == "section":
            found.update(("session", s.id) for s in program.sessions_of_section(best.id))
        elif best.kind == "faq":
            entry = program.faq_entry(best.id)
            if entry is not None:
                found.update(("session", s) for s in entry.sessions)
        elif best.kind == "city":
            pair = program.city_pair(best.id)
            if pair is not None:
                found.update(("city", p.id) for p in same_city_pairs(program, pair))
        return found

    # ------------------------------------------------------------ partner cities

    def _bare_town(self, topic_keys: list[str]) -> bool:
        """The question is only a town's name (with question words around it)."""
        town = self._town_in(topic_keys)
        return town is not None and all(any(same_word(k, t) for t in town) for k in topic_keys)

    def _town_in(self, topic_keys: list[str]) -> tuple[str, ...] | None:
        """The keys of a town whose every word the question has (allowing other endings)."""
        candidates = {t for k in topic_keys for t in self.index.towns_by_stem.get(k[:4], ())}
        for name_keys in sorted(candidates):
            if all(any(same_word(k, q) for q in topic_keys) for k in name_keys):
                return name_keys
        return None

    def _partners(self, topic: list[str], topic_keys: list[str], query: str) -> Outcome | None:
        """Partner cities asked for: the city card, or "not a partner city" with near ones."""
        city_words = intents.CITY | intents.CITY_CONTEXT
        named = [(w, k) for w, k in zip(topic, topic_keys, strict=True) if w not in city_words]
        if not named:
            return None  # "twin cities" with no city: the FAQ or the city list answers
        name_keys = [k for _, k in named]
        ranked = self.index.rank([(k,) for k in name_keys], kinds=("city",), limit=RANKED)
        if ranked and ranked[0].score >= CONFIDENT:
            return Outcome("card", self._card_hits(ranked[0], ranked))
        town = self._town_in(name_keys)
        if town is None:
            # Not a town we know: only a short unknown name is taken for a city.
            if len(named) > 2 or any(self.index.similar(k) for k in name_keys):
                return None
        wanted = {w for w, k in named if town is None or any(same_word(k, t) for t in town)}
        typed = [m.group(0) for m in _WORD.finditer(query) if fold(m.group(0)) in wanted]
        city = " ".join(typed)
        near = self._near_partners(name_keys)
        return Outcome(
            "not_partner",
            tuple(Hit("city", p, 0.0) for p in near),
            city=city[:1].upper() + city[1:],
        )

    def _near_partners(self, name_keys: list[str]) -> list[str]:
        found: dict[str, float] = {}
        choices = [k for k, _ in self._partner_keys]
        for key in name_keys:
            if len(key) < 4:
                continue
            for _, score, i in process.extract(
                key, choices, scorer=fuzz.ratio, score_cutoff=78, limit=6
            ):
                pair_id = self._partner_keys[i][1]
                found[pair_id] = max(found.get(pair_id, 0.0), score)
        return sorted(found, key=lambda p: -found[p])[:3]


class SearchService:
    """The index of the current program, rebuilt when a new program is loaded."""

    def __init__(self, program: Program) -> None:
        self.index = SearchIndex(program)
        self.answerer = Answerer(self.index)

    async def reload(self, program: Program) -> None:
        # Building takes a noticeable moment on a big program: keep the bot answering meanwhile.
        index = await asyncio.to_thread(SearchIndex, program)
        self.index, self.answerer = index, Answerer(index)
        logger.info("Search index rebuilt: %d entries", index.size)

    def search(self, query: str, limit: int = 4, kinds: Iterable[str] | None = None) -> list[Hit]:
        return self.index.search(query, limit, kinds)

    def answer(self, query: str, now: datetime) -> Outcome:
        return self.answerer.answer(query, now)


def sessions_in(program: Program, day: date, part: str) -> list[Session]:
    """The sessions of a day within a part of it (all of them for no part)."""
    lunch = next((s for s in program.sessions_on(day) if str(s.kind) == "break"), None)
    since, until = intents.part_bounds(part, lunch.end if lunch else None)
    return [
        s
        for s in program.sessions_on(day)
        if (since is None or s.start >= since) and (until is None or s.start < until)
    ]


def setup(dp: Dispatcher, programs: ProgramService) -> SearchService:
    """The search service in the workflow data, its index following the current program."""
    service = SearchService(programs.program)
    dp["search"] = service
    programs.reload_hooks.append(service.reload)
    return service
