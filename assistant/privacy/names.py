"""The first-name gazetteer of the redactor: names common in Germany and its largest immigrant groups.

The names come from the name list that the pinned ``gender-guesser`` package ships (about 48,000 first
names with their frequency per country, read offline from the package's data file). A name counts when
it is at least somewhat common (frequency class 2 or more of 13) in one of the countries below, is three
letters or longer, and is not an ordinary German word (``name_exclusions.NAME_EXCLUSIONS``). The list
predates the names now common among children, so ``RECENT_FIRST_NAMES`` adds those it lacks.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

# Countries of the name list (its column order) whose names callers of a German city are likely to have.
_COUNTRY_COLUMNS = {
    "italy": 3, "spain": 6, "france": 7, "the_netherlands": 10, "east_frisia": 11, "germany": 12, "austria": 13,
    "swiss": 14, "poland": 23, "czech_republic": 24, "hungary": 26, "romania": 27, "bulgaria": 28,
    "bosniaand": 29, "croatia": 30, "kosovo": 31, "macedonia": 32, "serbia": 34, "albania": 36, "greece": 37,
    "russia": 38, "ukraine": 41, "turkey": 46, "arabia": 47,
}  # fmt: skip
# First names popular with children born in Germany since about 2005 that the older ``gender-guesser`` list
# lacks (checked against it and against the Debian word list ``wngerman``: none is an ordinary word).
RECENT_FIRST_NAMES = frozenset(
    (
        "noah", "finn", "fynn", "jannik", "liam", "niklas", "levi", "mats", "mattis", "linus", "jonah", "leano",
        "mika", "kian", "eymen", "yigit", "elyas", "rayan", "ayaz", "lotta", "nala", "liya", "lenja", "leah",
        "mathilda", "emily", "ronja", "zoey", "eslem", "aaliyah", "malia", "yara", "nisa", "hira", "jule",
    )
)  # fmt: skip
# Short forms of German first names that the list lacks, common in the Ruhr ("der jupp", "ralle hier"; checked
# against ``wngerman``: none is an ordinary word).
SHORT_FORMS = frozenset(
    ("jupp", "ralle", "kalli", "hotte", "ede", "fiete", "schorsch", "hansi", "franzi", "moni", "addi", "olli")
)
_MIN_FREQUENCY = 2
_MIN_LENGTH = 3
_FIRST_COLUMN = 30  # the frequencies start here; the name is in columns 3..29


def _frequency(columns: str, index: int) -> int:
    char = columns[index] if index < len(columns) else " "
    return int(char, 16) if char in "123456789ABCDEFabcdef" else 0


@functools.cache
def _all_first_names() -> frozenset[str]:
    text = resources.files("gender_guesser").joinpath("data/nam_dict.txt").read_text(encoding="utf-8")
    names: set[str] = set()
    for line in text.splitlines():
        if not line or line[0] in "#=":
            continue
        fields, columns = line[3:_FIRST_COLUMN].split(), line[_FIRST_COLUMN:]
        if not fields:
            continue
        name = fields[0]  # a trailing "+" or "-" after the name marks a variant spelling
        if "+" in name or len(name) < _MIN_LENGTH or not name.isalpha():
            continue
        if max(_frequency(columns, i) for i in _COUNTRY_COLUMNS.values()) >= _MIN_FREQUENCY:
            names.add(name.lower())
    return frozenset(names) | RECENT_FIRST_NAMES | SHORT_FORMS


def gazetteer_first_names(apply_exclusions: bool = True) -> frozenset[str]:
    """Lower-cased first names; without the ordinary German words unless ``apply_exclusions`` is false."""
    return _first_names_without_words() if apply_exclusions else _all_first_names()


@functools.cache
def _first_names_without_words() -> frozenset[str]:
    from assistant.privacy.name_exclusions import NAME_EXCLUSIONS

    return _all_first_names() - NAME_EXCLUSIONS


@functools.cache
def gazetteer_names() -> frozenset[str]:
    """First names and surnames (``surnames.SURNAMES``, common surnames less ordinary German words), less
    the local place names (``places.PLACE_NAMES``: "Buchholz", "Emmerich" are districts and towns here)."""
    from assistant.privacy.name_exclusions import NAME_EXCLUSIONS
    from assistant.privacy.places import PLACE_NAMES
    from assistant.privacy.surnames import SURNAMES

    names = gazetteer_first_names() | SURNAMES
    # Speech recognition and keyboards drop diacritics: "lukasz" for "łukasz", "kilic" for "kılıç".
    # German umlauts stay (folding them makes German words: "höhn" -> "hohn"); names with other marks fold.
    folded = {without_diacritics(name) for name in names if not _GERMAN_LETTERS_ONLY.fullmatch(name)}
    folded -= NAME_EXCLUSIONS | FOLDED_WORDS
    return (names | folded) - PLACE_NAMES


_GERMAN_LETTERS_ONLY = re.compile(r"[a-zäöüß'-]+")
# Ordinary words that a name with marks becomes without them ("bāsar" -> "basar", "mäthe" stays, "máthe" ->
# "mathe"): the folded names found in ``wngerman`` or ``wamerican`` when this list was made, less real names.
FOLDED_WORDS = frozenset(
    (
        "abaci", "africa", "agar", "akin", "akkus", "ales", "angeles", "angels", "antic", "barbaric", "basar", "baser",
        "basic", "beben", "blaze", "boga", "boron", "bozo", "colic", "deren", "desire", "dosen", "drag", "ibis", "iren",
        "kielbasa", "klima", "klos", "lach", "leos", "males", "mares", "mathe", "maxima", "medic", "melodie", "nice",
        "nova", "serife", "topic", "yetis",
    )
)  # fmt: skip
# Letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED = str.maketrans({"ł": "l", "ı": "i", "đ": "d", "ø": "o", "ß": "ss"})


def without_diacritics(word: str) -> str:
    """``word`` without accents and marks: "łukasz" -> "lukasz", "kılıç" -> "kilic", "jovanović" -> "jovanovic"."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_UNDECOMPOSED))
    return "".join(char for char in decomposed if not unicodedata.combining(char))
