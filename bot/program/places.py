"""Countries, regions and cities as codes with names in every language.

The registration form stores a region or a city picked from the buttons (or typed so that it
matches one) as its code, never as a label: a region is its ISO 3166-2 code (`BY-MA`), a city
is its region's code and a short id (`BY-MA.mogilev`). Labels are looked up when shown, in the
reader's language, so editing a translation cannot change what is stored. Anything typed that
matches no place is kept as typed.

The built-in list holds every region of Belarus and the Russian regions a Belarus–Russia forum
meets most, with their centres and larger towns; a program's `known_cities` add to it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TypeVar

from bot.program.model import City, Region, Text


def _t(ru: str, be: str, en: str) -> Text:
    return Text({"ru": ru, "be": be, "en": en})


# (code, ru, be, en, cities as (id, ru, be, en)); the first city is the region's centre.
_BY: tuple[tuple[str, str, str, str, tuple[tuple[str, str, str, str], ...]], ...] = (
    ("BY-HM", "Минск", "Мінск", "Minsk", (("minsk", "Минск", "Мінск", "Minsk"),)),
    (
        "BY-BR",
        "Брестская область",
        "Брэсцкая вобласць",
        "Brest Region",
        (
            ("brest", "Брест", "Брэст", "Brest"),
            ("baranovichi", "Барановичи", "Баранавічы", "Baranovichi"),
            ("pinsk", "Пинск", "Пінск", "Pinsk"),
            ("kobrin", "Кобрин", "Кобрын", "Kobrin"),
        ),
    ),
    (
        "BY-VI",
        "Витебская область",
        "Віцебская вобласць",
        "Vitebsk Region",
        (
            ("vitebsk", "Витебск", "Віцебск", "Vitebsk"),
            ("orsha", "Орша", "Орша", "Orsha"),
            ("polotsk", "Полоцк", "Полацк", "Polotsk"),
            ("novopolotsk", "Новополоцк", "Наваполацк", "Novopolotsk"),
        ),
    ),
    (
        "BY-HO",
        "Гомельская область",
        "Гомельская вобласць",
        "Gomel Region",
        (
            ("gomel", "Гомель", "Гомель", "Gomel"),
            ("mozyr", "Мозырь", "Мазыр", "Mozyr"),
            ("zhlobin", "Жлобин", "Жлобін", "Zhlobin"),
            ("rechitsa", "Речица", "Рэчыца", "Rechitsa"),
            ("svetlogorsk", "Светлогорск", "Светлагорск", "Svetlogorsk"),
        ),
    ),
    (
        "BY-HR",
        "Гродненская область",
        "Гродзенская вобласць",
        "Grodno Region",
        (
            ("grodno", "Гродно", "Гродна", "Grodno"),
            ("lida", "Лида", "Ліда", "Lida"),
            ("slonim", "Слоним", "Слонім", "Slonim"),
            ("volkovysk", "Волковыск", "Ваўкавыск", "Volkovysk"),
        ),
    ),
    (
        "BY-MI",
        "Минская область",
        "Мінская вобласць",
        "Minsk Region",
        (
            ("borisov", "Борисов", "Барысаў", "Borisov"),
            ("soligorsk", "Солигорск", "Салігорск", "Soligorsk"),
            ("molodechno", "Молодечно", "Маладзечна", "Molodechno"),
            ("zhodino", "Жодино", "Жодзіна", "Zhodino"),
            ("slutsk", "Слуцк", "Слуцк", "Slutsk"),
        ),
    ),
    (
        "BY-MA",
        "Могилёвская область",
        "Магілёўская вобласць",
        "Mogilev Region",
        (
            ("mogilev", "Могилёв", "Магілёў", "Mogilev"),
            ("bobruisk", "Бобруйск", "Бабруйск", "Babruysk"),
            ("krichev", "Кричев", "Крычаў", "Krichev"),
            ("gorki", "Горки", "Горкі", "Horki"),
            ("klimovichi", "Климовичи", "Клімавічы", "Klimovichi"),
            ("osipovichi", "Осиповичи", "Асіповічы", "Osipovichi"),
        ),
    ),
)

_RU: tuple[tuple[str, str, str, str, tuple[tuple[str, str, str, str], ...]], ...] = (
    ("RU-MOW", "Москва", "Масква", "Moscow", (("moscow", "Москва", "Масква", "Moscow"),)),
    (
        "RU-SPE",
        "Санкт-Петербург",
        "Санкт-Пецярбург",
        "Saint Petersburg",
        (("spb", "Санкт-Петербург", "Санкт-Пецярбург", "Saint Petersburg"),),
    ),
    (
        "RU-MOS",
        "Московская область",
        "Маскоўская вобласць",
        "Moscow Oblast",
        (
            ("krasnogorsk", "Красногорск", "Краснагорск", "Krasnogorsk"),
            ("kolomna", "Коломна", "Каломна", "Kolomna"),
            ("podolsk", "Подольск", "Падольск", "Podolsk"),
        ),
    ),
    (
        "RU-LEN",
        "Ленинградская область",
        "Ленінградская вобласць",
        "Leningrad Oblast",
        (
            ("gatchina", "Гатчина", "Гатчына", "Gatchina"),
            ("kirishi", "Кириши", "Кірышы", "Kirishi"),
        ),
    ),
    (
        "RU-SMO",
        "Смоленская область",
        "Смаленская вобласць",
        "Smolensk Oblast",
        (
            ("smolensk", "Смоленск", "Смаленск", "Smolensk"),
            ("roslavl", "Рославль", "Рослаўль", "Roslavl"),
            ("vyazma", "Вязьма", "Вязьма", "Vyazma"),
        ),
    ),
    (
        "RU-BRY",
        "Брянская область",
        "Бранская вобласць",
        "Bryansk Oblast",
        (
            ("bryansk", "Брянск", "Бранск", "Bryansk"),
            ("klintsy", "Клинцы", "Клінцы", "Klintsy"),
        ),
    ),
    ("RU-PSK", "Псковская область", "Пскоўская вобласць", "Pskov Oblast", ()),
    ("RU-TUL", "Тульская область", "Тульская вобласць", "Tula Oblast", ()),
    ("RU-KLU", "Калужская область", "Калужская вобласць", "Kaluga Oblast", ()),
    ("RU-ORL", "Орловская область", "Арлоўская вобласць", "Oryol Oblast", ()),
    ("RU-KRS", "Курская область", "Курская вобласць", "Kursk Oblast", ()),
    ("RU-BEL", "Белгородская область", "Белгарадская вобласць", "Belgorod Oblast", ()),
    ("RU-VOR", "Воронежская область", "Варонежская вобласць", "Voronezh Oblast", ()),
    ("RU-TVE", "Тверская область", "Цвярская вобласць", "Tver Oblast", ()),
    ("RU-YAR", "Ярославская область", "Яраслаўская вобласць", "Yaroslavl Oblast", ()),
    ("RU-VLA", "Владимирская область", "Уладзімірская вобласць", "Vladimir Oblast", ()),
    ("RU-IVA", "Ивановская область", "Іванаўская вобласць", "Ivanovo Oblast", ()),
    ("RU-KOS", "Костромская область", "Кастрамская вобласць", "Kostroma Oblast", ()),
    ("RU-RYA", "Рязанская область", "Разанская вобласць", "Ryazan Oblast", ()),
    ("RU-LIP", "Липецкая область", "Ліпецкая вобласць", "Lipetsk Oblast", ()),
    (
        "RU-TAM",
        "Тамбовская область",
        "Тамбоўская вобласць",
        "Tambov Oblast",
        (
            ("tambov", "Тамбов", "Тамбоў", "Tambov"),
            ("michurinsk", "Мичуринск", "Мічурынск", "Michurinsk"),
        ),
    ),
    (
        "RU-NGR",
        "Новгородская область",
        "Наўгародская вобласць",
        "Novgorod Oblast",
        (("veliky-novgorod", "Великий Новгород", "Вялікі Ноўгарад", "Veliky Novgorod"),),
    ),
    (
        "RU-VLG",
        "Вологодская область",
        "Валагодская вобласць",
        "Vologda Oblast",
        (
            ("vologda", "Вологда", "Валагда", "Vologda"),
            ("cherepovets", "Череповец", "Чэрапавец", "Cherepovets"),
        ),
    ),
    (
        "RU-NIZ",
        "Нижегородская область",
        "Ніжагародская вобласць",
        "Nizhny Novgorod Oblast",
        (
            ("nizhny-novgorod", "Нижний Новгород", "Ніжні Ноўгарад", "Nizhny Novgorod"),
            ("kstovo", "Кстово", "Кстова", "Kstovo"),
        ),
    ),
    ("RU-KGD", "Калининградская область", "Калінінградская вобласць", "Kaliningrad Oblast", ()),
    ("RU-MUR", "Мурманская область", "Мурманская вобласць", "Murmansk Oblast", ()),
    ("RU-ARK", "Архангельская область", "Архангельская вобласць", "Arkhangelsk Oblast", ()),
    (
        "RU-KR",
        "Республика Карелия",
        "Рэспубліка Карэлія",
        "Republic of Karelia",
        (("petrozavodsk", "Петрозаводск", "Петразаводск", "Petrozavodsk"),),
    ),
    (
        "RU-KO",
        "Республика Коми",
        "Рэспубліка Комі",
        "Komi Republic",
        (("syktyvkar", "Сыктывкар", "Сыктыўкар", "Syktyvkar"),),
    ),
    (
        "RU-TA",
        "Республика Татарстан",
        "Рэспубліка Татарстан",
        "Republic of Tatarstan",
        (
            ("kazan", "Казань", "Казань", "Kazan"),
            ("almetyevsk", "Альметьевск", "Альмецьеўск", "Almetyevsk"),
        ),
    ),
    (
        "RU-BA",
        "Республика Башкортостан",
        "Рэспубліка Башкартастан",
        "Republic of Bashkortostan",
        (("ufa", "Уфа", "Уфа", "Ufa"),),
    ),
    (
        "RU-CU",
        "Чувашская Республика",
        "Чувашская Рэспубліка",
        "Chuvash Republic",
        (
            ("cheboksary", "Чебоксары", "Чэбаксары", "Cheboksary"),
            ("novocheboksarsk", "Новочебоксарск", "Навачэбаксарск", "Novocheboksarsk"),
        ),
    ),
    (
        "RU-MO",
        "Республика Мордовия",
        "Рэспубліка Мардовія",
        "Republic of Mordovia",
        (("saransk", "Саранск", "Саранск", "Saransk"),),
    ),
    (
        "RU-ME",
        "Республика Марий Эл",
        "Рэспубліка Марый Эл",
        "Mari El Republic",
        (("yoshkar-ola", "Йошкар-Ола", "Ёшкар-Ала", "Yoshkar-Ola"),),
    ),
    (
        "RU-UD",
        "Удмуртская Республика",
        "Удмурцкая Рэспубліка",
        "Udmurt Republic",
        (("izhevsk", "Ижевск", "Іжэўск", "Izhevsk"),),
    ),
    ("RU-SAM", "Самарская область", "Самарская вобласць", "Samara Oblast", ()),
    (
        "RU-SAR",
        "Саратовская область",
        "Саратаўская вобласць",
        "Saratov Oblast",
        (("saratov", "Саратов", "Саратаў", "Saratov"),),
    ),
    ("RU-PNZ", "Пензенская область", "Пензенская вобласць", "Penza Oblast", ()),
    (
        "RU-ULY",
        "Ульяновская область",
        "Ульянаўская вобласць",
        "Ulyanovsk Oblast",
        (("ulyanovsk", "Ульяновск", "Ульянаўск", "Ulyanovsk"),),
    ),
    (
        "RU-VGG",
        "Волгоградская область",
        "Валгаградская вобласць",
        "Volgograd Oblast",
        (("volgograd", "Волгоград", "Валгаград", "Volgograd"),),
    ),
    (
        "RU-ROS",
        "Ростовская область",
        "Растоўская вобласць",
        "Rostov Oblast",
        (("rostov-on-don", "Ростов-на-Дону", "Растоў-на-Доне", "Rostov-on-Don"),),
    ),
    (
        "RU-KDA",
        "Краснодарский край",
        "Краснадарскі край",
        "Krasnodar Krai",
        (("krasnodar", "Краснодар", "Краснадар", "Krasnodar"),),
    ),
    (
        "RU-STA",
        "Ставропольский край",
        "Стаўрапольскі край",
        "Stavropol Krai",
        (("stavropol", "Ставрополь", "Стаўрапаль", "Stavropol"),),
    ),
    (
        "RU-AST",
        "Астраханская область",
        "Астраханская вобласць",
        "Astrakhan Oblast",
        (("astrakhan", "Астрахань", "Астрахань", "Astrakhan"),),
    ),
    (
        "RU-ORE",
        "Оренбургская область",
        "Арэнбургская вобласць",
        "Orenburg Oblast",
        (("orenburg", "Оренбург", "Арэнбург", "Orenburg"),),
    ),
    (
        "RU-PER",
        "Пермский край",
        "Пермскі край",
        "Perm Krai",
        (("perm", "Пермь", "Перм", "Perm"),),
    ),
    ("RU-KIR", "Кировская область", "Кіраўская вобласць", "Kirov Oblast", ()),
    (
        "RU-SVE",
        "Свердловская область",
        "Свярдлоўская вобласць",
        "Sverdlovsk Oblast",
        (("yekaterinburg", "Екатеринбург", "Екацярынбург", "Yekaterinburg"),),
    ),
    ("RU-CHE", "Челябинская область", "Чэлябінская вобласць", "Chelyabinsk Oblast", ()),
    ("RU-TYU", "Тюменская область", "Цюменская вобласць", "Tyumen Oblast", ()),
    ("RU-OMS", "Омская область", "Омская вобласць", "Omsk Oblast", ()),
    ("RU-NVS", "Новосибирская область", "Новасібірская вобласць", "Novosibirsk Oblast", ()),
    ("RU-TOM", "Томская область", "Томская вобласць", "Tomsk Oblast", ()),
    (
        "RU-KEM",
        "Кемеровская область",
        "Кемераўская вобласць",
        "Kemerovo Oblast",
        (("kemerovo", "Кемерово", "Кемерава", "Kemerovo"),),
    ),
    (
        "RU-ALT",
        "Алтайский край",
        "Алтайскі край",
        "Altai Krai",
        (("barnaul", "Барнаул", "Барнаул", "Barnaul"),),
    ),
    (
        "RU-KYA",
        "Красноярский край",
        "Краснаярскі край",
        "Krasnoyarsk Krai",
        (("krasnoyarsk", "Красноярск", "Краснаярск", "Krasnoyarsk"),),
    ),
    ("RU-IRK", "Иркутская область", "Іркуцкая вобласць", "Irkutsk Oblast", ()),
    (
        "RU-KHA",
        "Хабаровский край",
        "Хабараўскі край",
        "Khabarovsk Krai",
        (("khabarovsk", "Хабаровск", "Хабараўск", "Khabarovsk"),),
    ),
    (
        "RU-PRI",
        "Приморский край",
        "Прыморскі край",
        "Primorsky Krai",
        (("vladivostok", "Владивосток", "Уладзівасток", "Vladivostok"),),
    ),
    (
        "RU-SA",
        "Республика Саха (Якутия)",
        "Рэспубліка Саха (Якуція)",
        "Sakha (Yakutia) Republic",
        (("yakutsk", "Якутск", "Якуцк", "Yakutsk"),),
    ),
)

# Words that only say what kind of place it is; a typed "Могилевская обл." still matches.
_SYNONYMS = {
    "обл": "область",
    "вобл": "вобласць",
    "oblast": "region",
    "obl": "region",
    "респ": "республика",
    "рэсп": "рэспубліка",
    "rep": "republic",
}
_KIND_WORDS = frozenset(
    {"область", "вобласць", "region", "край", "krai", "republic", "республика", "рэспубліка"}
)
_CITY_WORDS = frozenset({"г", "гор", "город", "горад", "city", "of", "the", "town", "д", "пос"})
_CENTRES = {  # the centres of the regions listed above without cities
    "RU-PSK": ("pskov", "Псков", "Пскоў", "Pskov"),
    "RU-TUL": ("tula", "Тула", "Тула", "Tula"),
    "RU-KLU": ("kaluga", "Калуга", "Калуга", "Kaluga"),
    "RU-ORL": ("oryol", "Орёл", "Арол", "Oryol"),
    "RU-KRS": ("kursk", "Курск", "Курск", "Kursk"),
    "RU-BEL": ("belgorod", "Белгород", "Белгарад", "Belgorod"),
    "RU-VOR": ("voronezh", "Воронеж", "Варонеж", "Voronezh"),
    "RU-TVE": ("tver", "Тверь", "Цвер", "Tver"),
    "RU-YAR": ("yaroslavl", "Ярославль", "Яраслаўль", "Yaroslavl"),
    "RU-VLA": ("vladimir", "Владимир", "Уладзімір", "Vladimir"),
    "RU-IVA": ("ivanovo", "Иваново", "Іванава", "Ivanovo"),
    "RU-KOS": ("kostroma", "Кострома", "Кастрама", "Kostroma"),
    "RU-RYA": ("ryazan", "Рязань", "Разань", "Ryazan"),
    "RU-LIP": ("lipetsk", "Липецк", "Ліпецк", "Lipetsk"),
    "RU-KGD": ("kaliningrad", "Калининград", "Калінінград", "Kaliningrad"),
    "RU-MUR": ("murmansk", "Мурманск", "Мурманск", "Murmansk"),
    "RU-ARK": ("arkhangelsk", "Архангельск", "Архангельск", "Arkhangelsk"),
    "RU-SAM": ("samara", "Самара", "Самара", "Samara"),
    "RU-PNZ": ("penza", "Пенза", "Пенза", "Penza"),
    "RU-KIR": ("kirov", "Киров", "Кіраў", "Kirov"),
    "RU-CHE": ("chelyabinsk", "Челябинск", "Чэлябінск", "Chelyabinsk"),
    "RU-TYU": ("tyumen", "Тюмень", "Цюмень", "Tyumen"),
    "RU-OMS": ("omsk", "Омск", "Омск", "Omsk"),
    "RU-NVS": ("novosibirsk", "Новосибирск", "Новасібірск", "Novosibirsk"),
    "RU-TOM": ("tomsk", "Томск", "Томск", "Tomsk"),
    "RU-IRK": ("irkutsk", "Иркутск", "Іркуцк", "Irkutsk"),
}


def normalize(text: str) -> str:
    """A spelling-insensitive key: case, ё/е, punctuation and "обл."/"oblast" do not matter."""
    value = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    value = re.sub(r"[^\w]+", " ", value)
    words = [_SYNONYMS.get(w, w) for w in value.split()]
    return " ".join(w for w in words if w not in _CITY_WORDS)


def _core(key: str) -> str:
    return " ".join(w for w in key.split() if w not in _KIND_WORDS)


def _region_aliases(en: str) -> tuple[str, ...]:
    # "Tula Oblast" is also written "Tula Region"; the form's old buttons said "Tula Region".
    if en.endswith(" Oblast"):
        return (en.removesuffix(" Oblast") + " Region",)
    return ()


def _builtin() -> tuple[tuple[Region, ...], tuple[City, ...]]:
    regions: list[Region] = []
    cities: list[City] = []
    for table in (_BY, _RU):
        for code, ru, be, en, towns in table:
            regions.append(Region(code, _t(ru, be, en), _region_aliases(en)))
            if code in _CENTRES:
                towns = (_CENTRES[code], *towns)
            for city_id, c_ru, c_be, c_en in towns:
                aliases = ("Bobruisk", "Bobruysk") if city_id == "bobruisk" else ()
                cities.append(City(f"{code}.{city_id}", _t(c_ru, c_be, c_en), code, aliases))
    return tuple(regions), tuple(cities)


P = TypeVar("P", "Region", "City")


def _names(place: Region | City) -> Iterable[str]:
    yield from place.name.all()
    yield from place.aliases


class Places:
    """The regions and cities the form knows, looked up by code or by any spelling."""

    def __init__(self, regions: Iterable[Region], cities: Iterable[City]) -> None:
        self.regions = tuple(regions)
        self.cities = tuple(cities)
        self._regions = {r.code: r for r in self.regions}
        self._cities = {c.code: c for c in self.cities}

    def region(self, code: str | None) -> Region | None:
        return self._regions.get(code or "")

    def city(self, code: str | None) -> City | None:
        return self._cities.get(code or "")

    def regions_of(self, country: str | None) -> tuple[Region, ...]:
        return tuple(r for r in self.regions if r.country == country)

    def cities_of(self, region: str | None) -> tuple[City, ...]:
        """The cities of a region; with no known region, the cities the bot cannot place."""
        return tuple(c for c in self.cities if c.region == region)

    @cached_property
    def _region_keys(self) -> dict[str, list[Region]]:
        return _index(self.regions)

    @cached_property
    def _city_keys(self) -> dict[str, list[City]]:
        return _index(self.cities)

    def find_region(self, text: str, country: str | None = None) -> Region | None:
        """The region a typed name means, within the country when one is given."""
        return _find(self._region_keys, text, lambda r: country is None or r.country == country)

    def find_city(
        self, text: str, region: str | None = None, anywhere: bool = False
    ) -> City | None:
        """The city a typed name means: within the region, or anywhere."""
        return _find(self._city_keys, text, lambda c: anywhere or c.region == region)

    def with_cities(self, extra: Iterable[City]) -> Places:
        """These cities first (a program's, in its order and with its names), then the
        bot's own that they do not repeat."""
        first = {c.code: c for c in extra}
        rest = [c for c in self.cities if c.code not in first]
        return Places(self.regions, [*first.values(), *rest])


def _index(places: Iterable[P]) -> dict[str, list[P]]:
    keys: dict[str, list[P]] = {}
    for place in places:
        for name in _names(place):
            for key in {normalize(name), "~" + _core(normalize(name))}:
                if key and key != "~" and place not in keys.setdefault(key, []):
                    keys[key].append(place)
    return keys


def _find(keys: dict[str, list[P]], text: str, fits: Callable[[P], bool]) -> P | None:
    key = normalize(text)
    if not key:
        return None
    for candidate in (key, "~" + _core(key)):
        found = [p for p in keys.get(candidate, ()) if fits(p)]
        if len(found) == 1:
            return found[0]
        if found:
            return None  # "Minsk" could be the city or the region: the exact name decides
    return None


BUILTIN = Places(*_builtin())
