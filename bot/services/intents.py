"""What a question asks besides its topic: a moment ("now", "tomorrow", "on Friday", "28 June",
"in the evening"), a place ("where", "address"), a person's role ("who moderates"), partner
cities. Pure functions over the folded words of `bot.services.search`; no I/O, no aiogram.

Word lists hold folded forms (ё→е, і→и, ў→в, no soft signs) in Russian, Belarusian and English;
inflected forms are listed where a stem would catch unrelated words ("среда" the weekday is not
"городская среда" — a weekday only counts with its own forms, and only boosts the search).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

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
# Belarusian letters mapped onto the Russian spelling the Russian stemmer knows; soft signs
# dropped, so that a missed or an extra one (Тюмен, Тюмень) makes no difference.
_BE_TO_RU = str.maketrans(
    {"ё": "е", "і": "и", "ў": "в", "э": "е", "ъ": "", "ь": "", "'": "", "’": "", "ʼ": ""}
)
_BE_HARD = re.compile(r"(?<=[цчшж])ы")


# The Belarusian infinitive's -ць is the Russian -ть (жыць / жить).
_BE_INFINITIVE = re.compile(r"(?<=[аеіоуыэюяё])ць\b")


def fold(text: str) -> str:
    """Lower case, with Belarusian and ё spellings mapped onto Russian-like letters."""
    folded = _BE_INFINITIVE.sub("ть", text.lower()).translate(_BE_TO_RU).translate(_LATIN_FOLD)
    return _BE_HARD.sub("и", folded)


def _set(text: str) -> frozenset[str]:
    return frozenset(fold(text).split())


NOW = _set(
    """сейчас щас сейчасс сичас теперь зараз цяпер now currently rightnow moment момент
    данный live"""
)
NEXT = _set(
    """дальше далее потом следующее следующий следующая следующие далей потым наступнае
    наступны наступная наступныя next upcoming"""
)
TODAY = _set("сегодня седня сёння сення today tonight сегодняшний сегодняшняя сённяшні")
TOMORROW = _set("завтра заутра заўтра tomorrow завтрашний завтрашняя заўтрашні")
AFTER_TOMORROW = _set("послезавтра паслязаўтра паслязаутра")
YESTERDAY = _set("вчера учора yesterday вчерашний")
EVENING = _set(
    """вечер вечера вечером вечеру вечерняя вечерние вечерний вечар вечара ўвечары увечары
    вечарам вечаровая evening evenings tonight night ночью"""
)
MORNING = _set("утро утра утром утренняя раница раницы раницай ранкам morning")
AFTERNOON = _set("днем днём удзень afternoon")
LUNCH = _set("обеда обед абеду абед абеда lunch")
AFTER = _set("после пасля after")
# "what is on", "the programme", "schedule": said around a moment, they ask for the screen.
SCHEDULE = _set(
    """программа программу программе программы расписание расписания расписанию план
    планы мероприятия мероприятий события событий происходит проходит идет идут идёт будет
    будут есть было запланировано интересного праграма праграму праграмы расклад раскладу
    мерапрыемствы мерапрыемстваў падзеі адбываецца ідзе ідуць будзе
    schedule programme program agenda events event happening going on whats what's is are
    there planned plan today's tomorrow's ongoing running currently day дня дзень день
    forum форуме форума форум форуму"""
)
# Weekdays, by Python's weekday() number, with their inflected forms.
WEEKDAYS: tuple[frozenset[str], ...] = (
    _set("понедельник понедельника понедельнику панядзелак панядзелка monday mon"),
    _set("вторник вторника вторнику аўторак аўторка autorak tuesday tue"),
    _set("среда среду среды серада сераду серады wednesday wed"),
    _set("четверг четверга четвергу чацвер чацвярга чацвера thursday thu"),
    _set("пятница пятницу пятницы пятніца пятніцу пятніцы friday fri"),
    _set("суббота субботу субботы субота суботу суботы saturday sat"),
    _set("воскресенье воскресенья нядзеля нядзелю нядзелі sunday sun"),
)
MONTHS: tuple[frozenset[str], ...] = (
    _set("январь января январе студзень студзеня january jan"),
    _set("февраль февраля лютага люты february feb"),
    _set("март марта сакавік сакавіка march mar"),
    _set("апрель апреля красавік красавіка april apr"),
    _set("май мая траўня травень травеня may"),
    _set("июнь июня чэрвень чэрвеня june jun"),
    _set("июль июля ліпень ліпеня july jul"),
    _set("август августа жнівень жніўня жнiвеня august aug"),
    _set("сентябрь сентября верасень верасня september sep sept"),
    _set("октябрь октября кастрычнік кастрычніка october oct"),
    _set("ноябрь ноября лістапад лістапада november nov"),
    _set("декабрь декабря снежань снежня december dec"),
)
ORDINALS: tuple[frozenset[str], ...] = (
    _set("первый первого первом першы першага першым first 1st 1-й 1-го"),
    _set("второй второго втором другі другога другім second 2nd 2-й 2-го"),
    _set("третий третьего третьем трэці трэцяга трэцім third 3rd 3-й 3-го"),
    _set("четвертый четвертого чацвёрты чацвёртага fourth 4th"),
)
LAST = _set("последний последнего последнем апошні апошняга апошнім last final заключительный")
DAY_WORDS = _set("день дня дне дзень дня day")

# "where", "address", "how to get": the question is about a place.
WHERE = _set(
    """где адрес адреса адресе куда добраться доехать дойти проехать находится расположен
    дзе адрас адраса куды дабрацца даехаць дайсці знаходзіцца where address located
    directions location map карта карце мапа"""
)
# "where does X speak", "X's talk": a speaker is asked for.
SPEAKS = _set(
    """выступает выступают выступит выступление выступления доклад докладчик спикер спикеры
    выступае выступаюць выступіць выступленне даклад дакладчык speak speaks speaking talk
    talks speech speaker speakers presents"""
)
# Of those, the words that say nothing but "where" (not "how to get", which an FAQ may be).
WHERE_ONLY = _set(
    """где адрес адреса адресе куда находится расположен дзе адрас адраса куды знаходзіцца
    where address located location map карта карце мапа"""
)
ADDRESS = _set("адрес адреса адресе адрас адраса address")
# "who moderates", "the moderator", "who hosts": the people who lead a section or session.
MODERATE = _set(
    """модератор модераторы модератора модераторов модерирует модерируют модерировать
    ведет ведёт ведут ведущий ведущая ведущие мадэратар мадэратары мадэратара мадэруе
    мадэруюць вядзе вядуць вядучы вядучая moderator moderators moderates moderate moderating
    chairs chair hosts host leads"""
)
# Words asking for partner cities ("twin cities of Brest", "побратимы Могилёва").
CITY = _set(
    """побратим побратимы побратима побратимов побратимом побратимами побратимства
    побратимство пабрацім пабрацімы пабраціма пабрацімаў партнер партнеры партнера
    партнеров партнеров партнёр партнёры партнёрский партнерский twin twins twinned partner
    partners sister"""
)
CITY_CONTEXT = _set(
    """город города городом городе городов горад горада гарады гарадоў city cities town
    towns российский российские российских расійскі расійскія russian белорусский
    белорусские беларускі беларускія belarusian"""
)

# Everyday words for the same need, in ru, be and en, so that an FAQ entry is found by the
# words people use rather than those of its question (a doctor / медпункт / мне дрэнна).
CONCEPTS: tuple[str, ...] = (
    """врач врача доктор медпункт медик медики медицинская медицинский скорая аптека плохо
    заболел заболела болит давление температура урач доктар медпункт дрэнна захварэў баліць
    аптэка doctor headache
    medic medical ambulance first-aid pharmacy sick ill unwell hurt""",
    """телефон телефона позвонить звонить номер контакты контакт связаться почта email
    e-mail тэлефон патэлефанаваць нумар кантакты звязацца пошта phone call number contact
    contacts email reach""",
    """потерял потеряла потерял забыл забыла оставил оставила пропал пропажа находки находок
    згубіў згубіла забыў забылася пакінуў пакінула знаходкі lost lose forgot left missing
    found""",
    """перевод переводчик переводчики синхрон синхронный наушники пераклад перакладчык
    навушнікі translation translate translator interpretation interpreter interpreting
    headphones headset""",
    """гостиница гостиницы отель общежитие проживание жилье жить поселят поселиться ночевать
    ночлег размещение живут гасцініца інтэрнат пражыванне жыллё пасяліцца начаваць жыць
    жывуць hotel hostel dormitory accommodation stay sleep""",
    """обед обеда пообедать обедать поесть еда питание покормят кормят кормить столовая кафе
    кофе перекус перекусить абед абедаць паесці ежа харчаванне сталовая кава кавы перакусіць
    lunch food eat meal meals canteen coffee snack""",
    """парковка парковку припарковаться машина машину автомобиль стоянка паркоўка
    прыпаркавацца машыну аўтамабіль parking park car""",
    """wifi вайфай интернет интернета сеть вайфая інтэрнэт сетка internet wi-fi""",
    """документы документ паспорт удостоверение дакументы дакумент пашпарт documents
    document passport id""",
    """бейдж бейджи бейджик пропуск бэйдж бэйджы пропуск badge badges pass""",
    """трансфер шаттл автобус автобусы доехать добраться проезд транспорт аўтобус даехаць
    дабрацца shuttle bus buses transfer transport""",
    """возраст лет годы младше старше несовершеннолетние узрост гадоў маладзейшым
    непаўналетнія age old years minors under""",
    """трансляция трансляцию онлайн стрим смотреть трансляцыя анлайн глядзець stream
    streamed streaming online broadcast watch""",
    """фото фотографии фотки снимки фотаграфіі photos photo pictures""",
    """одежда одеться костюм дресс-код дресскод джинсы шорты вопратка апрануцца касцюм
    дрэс-код джынсы clothes dress wear attire jeans shorts""",
)

_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?$")
_NUMBER = re.compile(r"^(\d{1,2})(?:-?(?:е|го|ое|га|st|nd|rd|th))?$")


@dataclass(frozen=True, slots=True)
class Moment:
    """A moment a question names: now, or a day and maybe a part of it."""

    now: bool = False
    day: date | None = None
    part: str = ""  # evening, afternoon, morning, after_lunch (see part_bounds)


@dataclass(frozen=True, slots=True)
class Reading:
    """A question read for its moment, with the indexes of the words that said it."""

    moment: Moment | None
    used: frozenset[int]
    schedule_words: frozenset[int]


def _day_number(word: str) -> int | None:
    match = _NUMBER.match(word)
    if match is None:
        return None
    value = int(match.group(1))
    return value if 1 <= value <= 31 else None


def _month(word: str) -> int | None:
    for number, forms in enumerate(MONTHS, 1):
        if word in forms:
            return number
    return None


def _date_in(year_days: Sequence[date], today: date, month: int, day: int) -> date | None:
    """The date with this month and day nearest the forum (the forum's year first)."""
    years = [d.year for d in year_days] or [today.year]
    for year in dict.fromkeys([*years, today.year]):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return None


def _simple(word: str, today: date) -> tuple[str, object] | None:
    """A word that names a moment by itself: ("now", True), ("day", date) or ("part", name)."""
    if word in NOW or word in NEXT:
        return "now", True
    if word in TODAY:
        return "day", today
    if word in TOMORROW:
        return "day", today + timedelta(days=1)
    if word in AFTER_TOMORROW:
        return "day", today + timedelta(days=2)
    if word in YESTERDAY:
        return "day", today - timedelta(days=1)
    if word in EVENING:
        return "part", "evening"
    if word in MORNING:
        return "part", "morning"
    if word in AFTERNOON:
        return "part", "afternoon"
    return None


def _dated(
    words: Sequence[str], i: int, today: date, forum_days: Sequence[date]
) -> tuple[date, tuple[int, ...]] | None:
    """A day named by a weekday, a date, a month with a number or an ordinal ("day 2")."""
    word = words[i]
    found = _weekday_date(word, today, forum_days)
    if found is not None:
        return found, (i,)
    match = _DATE.match(word)
    if match is not None:
        found = _date_in(forum_days, today, int(match.group(2)), int(match.group(1)))
        return (found, (i,)) if found else None
    month = _month(word)
    if month is not None:
        number = _neighbour_number(words, i)
        if number is not None:
            found = _date_in(forum_days, today, month, number[1])
            return (found, (i, number[0])) if found else None
    if word in DAY_WORDS and forum_days:
        ordinal = _ordinal_day(words, i, forum_days)
        if ordinal is not None:
            return ordinal[1], (i, ordinal[0])
    return None


def read_moment(words: Sequence[str], today: date, forum_days: Sequence[date]) -> Reading:
    """Find the moment a question names, if any (words are folded, in order)."""
    used: set[int] = set()
    day: date | None = None
    now = False
    part = ""
    for i, word in enumerate(words):
        simple = _simple(word, today)
        if simple is not None:
            used.add(i)
            kind, value = simple
            if kind == "now":
                now = True
            elif kind == "day":
                day = value  # type: ignore[assignment]
                part = "evening" if word == "tonight" else part
            else:
                part = str(value)
        elif word in LUNCH and i > 0 and words[i - 1] in AFTER:
            part = "after_lunch"
            used.update((i - 1, i))
        elif (dated := _dated(words, i, today, forum_days)) is not None:
            day = dated[0]
            used.update(dated[1])
    if not now and day is None and not part:
        return Reading(None, frozenset(), frozenset())
    moment = (
        Moment(now=True)
        if now and day is None and not part
        else Moment(day=day or today, part=part)
    )
    schedule = frozenset(i for i, w in enumerate(words) if i not in used and w in SCHEDULE)
    return Reading(moment, frozenset(used), schedule)


def _weekday_date(word: str, today: date, forum_days: Sequence[date]) -> date | None:
    for number, forms in enumerate(WEEKDAYS):
        if word in forms:
            # The forum day with that weekday, else the next such day from today.
            for day in forum_days:
                if day.weekday() == number:
                    return day
            return today + timedelta(days=(number - today.weekday()) % 7)
    return None


def _neighbour_number(words: Sequence[str], i: int) -> tuple[int, int] | None:
    """`28 июня`, `June 28`: the day number next to a month name, with its index."""
    for j in (i - 1, i + 1):
        if 0 <= j < len(words):
            number = _day_number(words[j])
            if number is not None:
                return j, number
    return None


def _ordinal_day(
    words: Sequence[str], i: int, forum_days: Sequence[date]
) -> tuple[int, date] | None:
    """`первый день`, `day 2`, `the last day`: a forum day by its place."""
    for j in (i - 1, i + 1):
        if not 0 <= j < len(words):
            continue
        word = words[j]
        if word in LAST:
            return j, forum_days[-1]
        for n, forms in enumerate(ORDINALS):
            if word in forms and n < len(forum_days):
                return j, forum_days[n]
        number = _day_number(word) if j == i + 1 else None
        if number is not None and 1 <= number <= len(forum_days):
            return j, forum_days[number - 1]
    return None


def asks_where(words: Sequence[str]) -> bool:
    return any(w in WHERE for w in words)


def asks_address(words: Sequence[str]) -> bool:
    return any(w in ADDRESS for w in words)


def asks_speaker(words: Sequence[str]) -> bool:
    return any(w in SPEAKS for w in words)


def asks_moderators(words: Sequence[str]) -> bool:
    return any(w in MODERATE for w in words)


def asks_partners(words: Sequence[str]) -> bool:
    return any(w in CITY for w in words)


def part_bounds(part: str, lunch_end: time | None) -> tuple[time | None, time | None]:
    """The time window of a part of the day: (sessions ending after, starting before)."""
    if part == "evening":
        return time(17, 0), None
    if part == "morning":
        return None, time(12, 0)
    if part == "after_lunch":
        return lunch_end or time(14, 0), None
    if part == "afternoon":
        return time(12, 0), time(18, 0)
    return None, None
