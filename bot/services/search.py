"""Free-text search over the forum program: FAQ, sessions, sections, speakers, venues, cities.

Every word goes through the same pipeline, for the program's texts and for a question alike:
fold the letters (ё→е, Belarusian і/ў to Russian-like letters), stem it with Snowball (Russian for
Cyrillic, English for Latin), then reduce the stem to a rough phonetic key in Latin letters. The
key makes Cyrillic, Belarusian spellings and Latin transliterations of a name meet (Магілёў,
Могилёва, Mahilyow); rapidfuzz then forgives small typos between keys. A document scores the
share of the question's informative (idf-weighted) words it matches, weighted by the field.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import snowballstemmer
from rapidfuzz import fuzz, process

from bot.program.model import CityPair, Program, Text

if TYPE_CHECKING:
    from aiogram import Dispatcher

    from bot.services.program import ProgramService

logger = logging.getLogger(__name__)

# Below this share of the question matched, the bot says it found nothing.
THRESHOLD = 0.42
KINDS = ("faq", "section", "session", "city", "speaker", "venue")
# On equal scores the more specific answer wins.
KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}

# Words that say how a question is asked rather than what it is about.
_STOPWORDS = """
    где когда как какой какая какое какие каком какую что чем кто кого куда откуда сколько
    во сколько ли есть будет будут быть мне меня мой моя мое мои моего моих я ты вы мы он она
    они их его ее им нам вам можно нужно надо нельзя у в во на с со по о об обо и а но или к ко
    до от для из за под над при про это этот эта эти тот та те там тут здесь же бы не ни уже
    еще ещё подскажите скажите расскажите пожалуйста пож хочу хотел хотела хотим можете
    узнать найти посмотреть начинается начнется начало идет проходит проводится будет
    находится расположен время час который которая которые весь все всё вся свой своя свои
    какой-нибудь там ну вот так да нет привет здравствуйте спасибо
    дзе калі як які якая якое якія што хто каго куды адкуль колькі ці ёсць будзе мне мяне
    мой мая маё мае я ты вы мы ён яна яны іх яго яе у ў на з са па пра аб і а але або да ад
    для праз пад над пры гэта гэты гэтая там тут тут жа б не ні ўжо яшчэ падкажыце скажыце
    калі ласка хачу можна трэба знайсці даведацца пачынаецца пачатак ідзе праходзіць
    знаходзіцца час які вось так дзякуй
    where when what who whom which how is are was were be will the a an of to in on at for
    do does did i my me we you your our can could should would there here it its this that
    these those and or with about from by please tell want need know find get see take place
    start starts starting begin begins held hold located any some much many time hi hello
    thanks thank
    """

# Words that ask for partner cities ("twin cities of Brest", "побратимы Могилёва").
CITY_WORDS = (
    "побратим пабрацім партнер партнёр twin twinned partner sister город горад city "
    "российский расійскі russian белорусский беларускі belarusian"
)

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
# Latin letters with diacritics (Belarusian Łacinka, Polish, Czech-style transliterations).
_LATIN_FOLD = str.maketrans(
    {
        "ŭ": "w",
        "č": "ch",
        "š": "sh",
        "ž": "zh",
        "ć": "c",
        "ś": "s",
        "ź": "z",
        "ń": "n",
        "ł": "l",
        "ė": "e",
        "é": "e",
        "ë": "e",
        "ý": "y",
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
_WORD = re.compile(r"[^\W_]+(?:[-'’ʼ][^\W_]+)*")
_CYRILLIC = re.compile(r"[а-я]")
# Belarusian letters mapped onto the Russian spelling the Russian stemmer knows.
_BE_TO_RU = str.maketrans({"ё": "е", "і": "и", "ў": "в", "э": "е", "ъ": "", "'": "", "’": ""})
_BE_HARD = re.compile(r"(?<=[цчшж])ы")

_RU = snowballstemmer.stemmer("russian")
_EN = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Lower case, with Belarusian and ё spellings mapped onto Russian-like letters."""
    folded = text.lower().translate(_BE_TO_RU).translate(_LATIN_FOLD)
    return _BE_HARD.sub("и", folded)


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
    key = key.translate(_LETTERS)
    return re.sub(r"(.)\1+", r"\1", key)


@lru_cache(maxsize=20000)
def word_key(word: str) -> str:
    stem = _RU.stemWord(word) if _CYRILLIC.search(word) else _EN.stemWord(word)
    return phonetic(stem)


def keys(text: str) -> list[str]:
    """The search keys of a text, without the words that only shape a question."""
    return [word_key(w) for w in words(text) if w not in STOPWORDS]


def min_ratio(key: str) -> float | None:
    """How similar another key must be to count as a typo of this one (None: exact only)."""
    if len(key) <= 3 or key.isdigit():
        return None
    return 85.0 if len(key) <= 5 else 80.0


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str  # faq, session, section, city, speaker, venue
    id: str
    score: float  # the share of the question matched, 0..1

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(slots=True)
class _Doc:
    kind: str
    id: str
    weights: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, weight: float, texts: Iterable[str]) -> None:
        for text in texts:
            for key in set(keys(text)):
                self.weights[key].append(weight)

    def term_weights(self) -> dict[str, float]:
        """The best field's weight, plus a little for each other field that has the word."""
        found = {}
        for key, ws in self.weights.items():
            ws = sorted(ws, reverse=True)
            found[key] = ws[0] + 0.15 * min(2, len(ws) - 1)
        return found


def _all(*texts: Text) -> list[str]:
    return [v for t in texts for v in t.all()]


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
        self.vocabulary = list(self.postings)
        self.idf = {k: math.log(1 + self.size / len(p)) for k, p in self.postings.items()}
        # A word the program does not know weighs like a fairly rare one, so that a question
        # about something else entirely does not look answered by its one common word.
        self.unknown_idf = math.log(1 + self.size / 3)
        self._similar_cache: dict[str, list[tuple[str, float]]] = {}

    def similar(self, key: str) -> list[tuple[str, float]]:
        """Vocabulary keys close to `key`, with a similarity factor in 0..1."""
        cached = self._similar_cache.get(key)
        if cached is not None:
            return cached
        found: list[tuple[str, float]] = []
        if key in self.postings:
            found.append((key, 1.0))
        cutoff = min_ratio(key)
        if cutoff is not None:
            for other, score, _ in process.extract(
                key, self.vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=4
            ):
                if other != key and min_ratio(other) is not None:
                    found.append((other, (score / 100) ** 3))
        if len(self._similar_cache) > 50000:
            self._similar_cache.clear()
        self._similar_cache[key] = found
        return found

    def search(self, query: str, limit: int = 4, kinds: Iterable[str] | None = None) -> list[Hit]:
        """The best matches, best first; an empty list when the question has no known word."""
        wanted = set(kinds) if kinds is not None else None
        query_keys = list(dict.fromkeys(keys(query)))
        if not query_keys:
            return []
        totals: dict[tuple[str, str], float] = defaultdict(float)
        possible = 0.0
        for key in query_keys:
            matches = self.similar(key)
            if not matches:
                possible += self.unknown_idf
                continue
            possible += max(self.idf[other] for other, _ in matches)
            best: dict[tuple[str, str], float] = {}
            for other, sim in matches:
                idf = self.idf[other]
                for doc, weight in self.postings[other].items():
                    value = sim * weight * idf
                    if value > best.get(doc, 0.0):
                        best[doc] = value
            for doc, value in best.items():
                totals[doc] += value
        # Ranked by the raw score (a doc matching a word in several fields ranks higher);
        # the reported score is the share of the question matched, at most 1.
        ranked = sorted(
            (
                (-round(value, 6), KIND_RANK[kind], doc_id, kind)
                for (kind, doc_id), value in totals.items()
                if wanted is None or kind in wanted
            )
        )
        top = ranked[:limit]
        return [Hit(kind, doc_id, min(1.0, -neg / possible)) for neg, _, doc_id, kind in top]


def _documents(program: Program) -> Iterable[_Doc]:
    for entry in program.faq:
        doc = _Doc("faq", entry.id)
        doc.add(1.0, entry.question.all())
        doc.add(0.9, entry.keywords)
        doc.add(0.3, entry.answer.all())
        yield doc
    for section in program.sections:
        doc = _Doc("section", section.id)
        doc.add(1.0, section.title.all())
        # "секция 3", "секцыя 3", "section 3": people name sections by their number.
        doc.add(1.2, [f"секция секцыя section {section.number}"])
        doc.add(0.9, section.keywords)
        # Its meetings are part of it: "agriculture section" finds the section first.
        doc.add(0.8, [v for s in program.sessions_of_section(section.id) for v in s.title.all()])
        doc.add(0.35, section.description.all())
        doc.add(0.35, _people(program, section.moderators))
        doc.add(0.3, _place(program, section.venue, section.hall))
        yield doc
    for session in program.sessions:
        doc = _Doc("session", session.id)
        doc.add(1.0, session.title.all())
        doc.add(0.9, session.keywords)
        doc.add(0.35, session.description.all())
        doc.add(0.45, _people(program, session.speakers + session.moderators))
        doc.add(0.3, _place(program, session.venue, session.hall))
        sec = program.section(session.section)
        if sec is not None:
            doc.add(0.3, sec.title.all())
        yield doc
    for pair in program.city_pairs:
        doc = _Doc("city", pair.id)
        # A city's name is what people type to find it: it outweighs a title that mentions it.
        doc.add(1.25, _all(pair.by_city, pair.ru_city) + list(pair.aliases))
        doc.add(0.8, [CITY_WORDS])
        doc.add(0.5, _all(pair.by_region, pair.ru_subject))
        doc.add(0.2, [v for area in pair.areas for v in area.all()])
        yield doc
    for speaker in program.speakers:
        doc = _Doc("speaker", speaker.id)
        doc.add(1.1, speaker.name.all())
        doc.add(0.35, _all(speaker.position, speaker.organization))
        yield doc
    for venue in program.venues:
        doc = _Doc("venue", venue.id)
        doc.add(1.0, venue.name.all())
        doc.add(1.0, [v for hall in venue.halls for v in hall.name.all()])
        doc.add(0.5, venue.address.all())
        yield doc


def _people(program: Program, ids: Iterable[str]) -> list[str]:
    found = []
    for speaker_id in ids:
        speaker = program.speaker(speaker_id)
        if speaker is not None:
            found.extend(speaker.name.all())
    return found


def _place(program: Program, venue_id: str | None, hall_id: str | None) -> list[str]:
    venue = program.venue(venue_id)
    if venue is None:
        return []
    hall = venue.hall(hall_id)
    return list(venue.name.all()) + (list(hall.name.all()) if hall else [])


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


class SearchService:
    """The index of the current program, rebuilt when a new program is loaded."""

    def __init__(self, program: Program) -> None:
        self.index = SearchIndex(program)

    async def reload(self, program: Program) -> None:
        # Building takes a noticeable moment on a big program: keep the bot answering meanwhile.
        self.index = await asyncio.to_thread(SearchIndex, program)
        logger.info("Search index rebuilt: %d entries", self.index.size)

    def search(self, query: str, limit: int = 4, kinds: Iterable[str] | None = None) -> list[Hit]:
        return self.index.search(query, limit, kinds)


def setup(dp: Dispatcher, programs: ProgramService) -> SearchService:
    """The search service in the workflow data, its index following the current program."""
    service = SearchService(programs.program)
    dp["search"] = service
    programs.reload_hooks.append(service.reload)
    return service
