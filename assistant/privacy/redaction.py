"""Removes personal data from German call transcripts before they are searched, logged or shown.

The redactor is rule based: compiled regular expressions, one family per kind of personal data,
each replacing what it finds with a bracketed placeholder such as ``[TELEFON]``. Transcripts are
typed or come from speech recognition (lower case, no punctuation, digits separated by spaces,
sometimes spelled out), so the patterns ignore case unless a pattern says otherwise.

What search needs stays: services ("Sperrmüll", "Hundesteuer"), fees ("37 Euro"), weekdays,
dates without a year ("ab 1. Januar"), years alone ("2026"), city and district names.

Patterns start only at the beginning of a word or digit run, and their repetitions are bounded or
cannot overlap, so the work stays linear in the length of the text: long or hostile input cannot make
the engine backtrack for long. Rules that test many words at each word start have a cheap trigger.
"""

from __future__ import annotations

import datetime
import difflib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from assistant.privacy.names import gazetteer_first_names, gazetteer_names
from assistant.privacy.places import PLACE_NAMES
from corpus.german_words import NOT_IN_NAMES, STOPWORDS

NAME = "[NAME]"
TELEFON = "[TELEFON]"
EMAIL = "[EMAIL]"
IBAN = "[IBAN]"
GEBURTSDATUM = "[GEBURTSDATUM]"
ADRESSE = "[ADRESSE]"
KENNZEICHEN = "[KENNZEICHEN]"
AUSWEISNR = "[AUSWEISNR]"
STEUER_ID = "[STEUER-ID]"
NUMMER = "[NUMMER]"
ALTER = "[ALTER]"
STERBEDATUM = "[STERBEDATUM]"
SCHULE = "[SCHULE]"
HERKUNFT = "[HERKUNFT]"
ARBEIT = "[ARBEIT]"
GESUNDHEIT = "[GESUNDHEIT]"

PLACEHOLDERS: tuple[str, ...] = (
    NAME,
    TELEFON,
    EMAIL,
    IBAN,
    GEBURTSDATUM,
    ADRESSE,
    KENNZEICHEN,
    AUSWEISNR,
    STEUER_ID,
    NUMMER,
    ALTER,
    STERBEDATUM,
    SCHULE,
    HERKUNFT,
    ARBEIT,
    GESUNDHEIT,
)


class Redactor(Protocol):
    """Replaces personal data in a text with placeholders. Never raises; redacting twice changes nothing."""

    def redact(self, text: str) -> str: ...


Replacement = str | Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class RedactionRule:
    """One compiled pattern and what replaces its matches.

    ``trigger`` is a cheap pattern the text must contain for ``pattern`` to have a chance; rules whose
    patterns test many words at every word start skip the text quickly when it is absent.
    """

    kind: str
    pattern: re.Pattern[str]
    replacement: Replacement
    trigger: re.Pattern[str] | None = None


def _words(*words: str) -> str:
    """A non-capturing alternation of literal words, longest first so no word shadows a longer one."""
    return "(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w))) + ")"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _replace_group(match: re.Match[str], group: str, placeholder: str) -> str:
    """The match with only its group ``group`` replaced by ``placeholder``, the words around it kept."""
    whole, offset = match.group(0), match.start()
    return whole[: match.start(group) - offset] + placeholder + whole[match.end(group) - offset :]


def _replace_value(placeholder: str) -> Callable[[re.Match[str]], str]:
    """Replace only the group named ``value`` and keep the words around it ("Kundennummer [NUMMER]")."""

    def replace(match: re.Match[str]) -> str:
        return _replace_group(match, "value", placeholder)

    return replace


_FOUND_NAMES = threading.local()  # the names one ``redact`` call found, to remove their repetitions


def _remember_name(name: str, spelled: bool = False) -> None:
    """Note a name found in this ``redact`` call, so that its other occurrences are removed too. A name spelled
    letter by letter is one for sure, even when it is also a word ("w e i scharfes s": "weiß")."""
    found: list[str] | None = getattr(_FOUND_NAMES, "names", None)
    if found is not None and name:
        found.append(name)
        if spelled and len(name) >= _MIN_SPELLED_WORD:
            _FOUND_NAMES.spelled.add(name.lower())


_MIN_SPELLED_WORD = 4


def _replace_name() -> Callable[[re.Match[str]], str]:
    """Like ``_replace_value(NAME)``, and remembers the name for this ``redact`` call."""
    replace_value = _replace_value(NAME)

    def replace(match: re.Match[str]) -> str:
        _remember_name(match.group("value"))
        return replace_value(match)

    return replace


# ---- shared fragments -----------------------------------------------------------------------------
_START = r"(?<![\w])"  # at the beginning of a word or number
_END = r"(?![\w])"  # at the end of a word or number
_DIGIT_RUN_START = r"(?<![\w])(?<![0-9][ ./-])"  # not in the middle of a grouped number like "0203 12 34"
_SPOKEN_DIGIT_FOR_CODES = r"(?:null|eins|zwei|zwo|drei|vier|fünf|sechs|sieben|acht|neun)(?![\w])"
_LETTER = r"[^\W\d_]"

_UNIT_WORDS = _words(
    "euro", "eur", "cent", "uhr", "prozent", "meter", "m", "km", "kilometer", "qm", "quadratmeter", "kg", "kilo",
    "gramm", "liter", "stück", "sack", "säcke", "tag", "tage", "tagen", "woche", "wochen", "monat", "monate",
    "monaten", "jahr", "jahre", "jahren", "stunde", "stunden", "minuten", "mal", "personen", "leute", "kinder",
    "hunde", "tonnen", "cm", "mm", "seiten", "termine", "einwohner", "mitglieder", "menschen", "haushalte",
    "kilowattstunden", "kwh", "kw", "ps", "sekunden", "min", "std", "mio", "millionen", "tausend", "punkte",
)  # fmt: skip
_NOT_A_QUANTITY = rf"(?![ ]?(?:{_UNIT_WORDS}{_END}|€|%))"

# Function words, common verbs and greetings: never part of a name or of a street name.
# Ruhr dialect contractions of a preposition and an article ("der herr vonne müllabfuhr", "inne kita") are
# function words too.
_DIALECT_CONTRACTIONS = (
    "vonne", "vonner", "inne", "inner", "anne", "anner", "aufe", "auffe", "aufm", "ausse", "zumm",
)  # fmt: skip
_FUNCTION_WORDS = _words(*NOT_IN_NAMES, *_DIALECT_CONTRACTIONS)
_NOT_A_FUNCTION_WORD = rf"(?!{_FUNCTION_WORDS}{_END})"

# ---- e-mail addresses -----------------------------------------------------------------------------
"""Typed addresses (``max.muster@gmx.de``) and spoken ones (``max punkt muster at gmx punkt de``).

The spoken local part may have one plain space ("max muster at web punkt de") because recognition
often drops the dot between first and last name.
"""
_AT_SIGN = _compile("@")
_EMAIL_TYPED = _compile(
    r"(?<![\w.+-])[\w+-]{1,64}(?:\.[\w+-]{1,64}){0,6}[ ]?@[ ]?(?:[\w-]{1,63}\.){1,6}[a-z]{2,24}" + _END
)
_SPOKEN_LOCAL_SEPARATOR = r"(?:[._-]|[ ](?:punkt|minus|bindestrich|strich|unterstrich)[ ])"
_SPOKEN_DOMAIN_SEPARATOR = r"(?:[.-]|[ ](?:punkt|minus|bindestrich|dot|\[dot\])[ ]|[ ]?(?:\[dot\]|\(dot\))[ ]?)"
_SPOKEN_DOT = (
    r"(?:\.|[ ](?:punkt|dot)[ ]|[ ]?(?:\[dot\]|\(dot\)|\[punkt\]|\(punkt\))[ ]?"
    r"|[ ](?=(?:de|com|net|org|eu|info)(?![\w])))"
)
_SPOKEN_LOCAL_PART = rf"\w{{1,64}}(?:{_SPOKEN_LOCAL_SEPARATOR}\w{{1,64}}){{0,4}}"
_MAIL_PROVIDER = _words(
    "gmail", "googlemail", "gmx", "web", "hotmail", "yahoo", "t-online", "outlook", "icloud", "aol", "freenet",
    "posteo", "arcor", "live", "msn", "mail", "email", "online",
)  # fmt: skip
_SPOKEN_AT_WORD = (
    r"(?:[ ](?:at|ät|klammeraffe|at-zeichen)[ ]|[ ]?(?:\[(?:at|ät)\]|\((?:at|ät)\))[ ]?"
    rf"|[ ]bei[ ](?={_MAIL_PROVIDER}(?:[ ]?(?:punkt|dot|\.|\(dot\)|\[dot\])[ ]?)[a-z]{{2,6}}(?![\w])))"
)
_SPOKEN_AT = _compile(_SPOKEN_AT_WORD + rf"|[ ]bei[ ]{_MAIL_PROVIDER}")
_EMAIL_SPOKEN = _compile(
    rf"{_START}{_NOT_A_FUNCTION_WORD}{_SPOKEN_LOCAL_PART}(?:[ ]{_NOT_A_FUNCTION_WORD}{_SPOKEN_LOCAL_PART})?"
    rf"(?:[ ]punkt)?{_SPOKEN_AT_WORD}"
    rf"(?:\w{{1,63}}{_SPOKEN_DOMAIN_SEPARATOR}){{0,4}}(?:t[ ]online|\w{{1,63}}){_SPOKEN_DOT}[a-z]{{2,6}}{_END}"
)

# An office's mailbox stays: a local part naming a role or an office at a public domain ("buergerbuero at
# stadt-duisburg punkt de", "info@dinslaken.de"); a business's ("info ät baeckerei-hollweg punkt de") does not.
_OFFICE_MAILBOX = _compile(
    r"(?:info|kontakt|service|post|poststelle|presse|verwaltung|office|buerger\w*|bürger\w*|rathaus|\w*amt|\w*stelle"
    r"|\w*buero|\w*büro|standesamt|wahlamt|ordnungsamt)"
    r"(?:[ ]?(?:@|\(at\)|\[at\]|at|ät|klammeraffe|at-zeichen)[ ]?)"
    r"(?:stadt|kreis|gemeinde|bezirksregierung|nrw|bund|duisburg|bottrop|dinslaken|[\w-]*(?:stadt|kreis)[\w-]*)"
    r"(?:[ ]?(?:\.|punkt|dot)[ ]?|[-\w])*"
)


def _replace_email(match: re.Match[str]) -> str:
    return match.group(0) if _OFFICE_MAILBOX.fullmatch(match.group(0)) else EMAIL


# The local part spelled letter by letter before an address already found: "be er a en de [EMAIL]".
_SPELLED_BEFORE_EMAIL = _compile(
    r"(?<![\w])(?:(?:be|ce|de|ef|ge|ha|jot|ka|el|em|en|pe|kuh|er|es|te|vau|we|iks|ix|zet|zett|ypsilon|[^\W\d_]|[0-9]"
    r"|null|eins|zwei|zwo|drei|vier|fünf|sechs|sieben|acht|neun|punkt|minus|unterstrich|bindestrich)[ ,]+){1,40}"
    r"\[EMAIL\]"
)
# ---- IBAN ------------------------------------------------------------------------------------------
"""Country code, two check digits and the account part, grouped by spaces or not (``DE89 3704 ...``).

German IBANs (``DE`` and exactly 20 digits) are taken as they are; other countries only when the
mod-97 checksum holds, so a phone number after a two-letter word is not mistaken for one. The
account part may hold upper-case letters (``GB29 NWBK ...``) but never lower-case words.
"""
_GERMAN_IBAN = _compile(r"(?<![\w])d[ ]?e[ -]?[0-9][ ]?[0-9](?:[ -]?[0-9]){18}(?![ -]?[0-9])")
_IBAN = _compile(r"(?<![\w])[a-z][ ]?[a-z][ -]?[0-9][ ]?[0-9](?:[ -]?(?:[0-9]|(?-i:[A-Z]))){11,30}(?![\w])")


def _iban_checksum_holds(compact: str) -> bool:
    rearranged = compact[4:] + compact[:4]
    if not rearranged.isascii() or not rearranged.isalnum():
        return False
    digits = "".join(str(int(c, 36)) for c in rearranged)
    return int(digits) % 97 == 1


def _replace_iban(match: re.Match[str]) -> str:
    compact = match.group(0).replace(" ", "").replace("-", "").upper()
    return IBAN if _iban_checksum_holds(compact) else match.group(0)


# ---- numbers introduced by a keyword ---------------------------------------------------------------
"""A number that follows the word naming it: "Kundennummer 4711", "Steuer-ID ist 12 345 678 901",
"Ausweisnummer L01X00T47", "Kennzeichen du ab 1234". The keyword stays, only the number goes.
"""
_FILLER = r"(?:[ ]*(?::|ist|lautet|wäre|war|die|der|das|nummer|nr\.?|meine?|hier)(?![\w])){0,4}[ ]*"
_FILE_NUMBER_KEYWORD = _words(
    "kundennummer", "kunden-nummer", "kundennr.", "kundennr", "aktenzeichen", "az.", "az", "steuernummer",
    "sozialversicherungsnummer", "rentenversicherungsnummer", "sv-nummer", "rv-nummer", "svnr", "vertragskonto",
    "st.-nr.", "st.nr.", "stnr", "kassenzeichen", "vorgangsnummer", "buchungsnummer", "rechnungsnummer",
    "versichertennummer", "mitgliedsnummer", "zählernummer", "vertragsnummer", "bescheidnummer",
    "antragsnummer", "objektnummer", "vorgang", "personalnummer", "referenznummer", "auftragsnummer", "ticketnummer",
)  # fmt: skip
_FILE_NUMBER_GROUP = r"[0-9](?:[0-9a-z./-]{0,30}[0-9a-z])?"
# Court file numbers hold capital letters between the digit groups: "3 O 123/24".
_FILE_NUMBER_NEXT_GROUP = rf"[ ](?:(?-i:[A-Z]{{1,3}})[ ])?{_FILE_NUMBER_GROUP}"
_FILE_NUMBER_VALUE = rf"(?:[a-z]{{1,4}}[-/]?)?{_FILE_NUMBER_GROUP}(?:{_FILE_NUMBER_NEXT_GROUP}){{0,8}}"
_KEYWORD_END = r"(?:(?<=\.)|(?![\w]))"
_FILE_NUMBER_HINT = _compile(r"nummer|zeichen|nr|az")
_INTRODUCED_FILE_NUMBER = _compile(
    rf"(?<![\w-]){_FILE_NUMBER_KEYWORD}{_KEYWORD_END}{_FILLER}(?P<value>{_FILE_NUMBER_VALUE}){_END}"
)

_TAX_ID_KEYWORD = (
    r"(?:steuer[- ]?id(?:entifikations-?nummer)?|steuer[- ]?ident(?:-?nummer)?|steuerliche[ ]identifikationsnummer"
    r"|identifikationsnummer|id-?nr\.?)"
)
_INTRODUCED_TAX_ID = _compile(
    rf"(?<![\w-]){_TAX_ID_KEYWORD}{_KEYWORD_END}{_FILLER}(?P<value>[0-9](?:[ /.-]?[0-9]){{7,12}})(?![ ]?[0-9]){_END}"
)

_ID_DOCUMENT_KEYWORD = (
    r"(?:(?:personalausweis|ausweis|perso|reisepass|pass|dokumenten?)[ -]?(?:nummer|nr\.?)|seriennummer)"
)
_ID_DOCUMENT_GROUP = rf"(?:[a-z]{{0,8}}[0-9][a-z0-9]{{0,10}}|[a-z]|{_SPOKEN_DIGIT_FOR_CODES})(?![\w])"
_INTRODUCED_ID_DOCUMENT = _compile(
    rf"(?<![\w-]){_ID_DOCUMENT_KEYWORD}{_KEYWORD_END}{_FILLER}"
    rf"(?P<value>{_ID_DOCUMENT_GROUP}(?:[ ]{_ID_DOCUMENT_GROUP}){{0,11}})"
)

_PLATE_KEYWORD = r"(?:(?:kfz|auto|fahrzeug)[ -]?)?(?:kennzeichen|nummernschild)"
_ANY_CASE_PLATE = r"[a-zäöü]{1,3}[ -]?[a-z]{1,2}[ -]?[1-9][0-9]{0,3}[eh]?"
_INTRODUCED_PLATE = _compile(rf"(?<![\w-]){_PLATE_KEYWORD}{_KEYWORD_END}{_FILLER}(?P<value>{_ANY_CASE_PLATE}){_END}")

# ---- dates of birth --------------------------------------------------------------------------------
"""Every full date (day, month and year) counts as a possible date of birth: ``03.04.1980``, ``3.4.80``,
``1980-04-03``, ``03 04 1980``, ``3. April 1980``, ``dritter april neunzehnhundertachtzig``. A date
without a year ("ab 1. Januar") stays. After "geboren am/im", "Geburtsdatum" or "Jahrgang", and
before "geboren", partial dates and years alone are removed as well.
"""
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR4 = r"(?:19|20)[0-9]{2}"
_MONTH_NAME = (
    r"(?:(?:januar|jänner|februar|feber|märz|maerz|april|mai|juni|juli|august|september|oktober|november"
    r"|dezember)(?![\w])|(?:jan|feb|mär|mrz|apr|jun|jul|aug|sept|sep|okt|nov|dez)\.)"
)
_UNIT_NUMBER = r"(?:ein|eins|zwei|drei|vier|fünf|fuenf|sechs|sieben|acht|neun)"
_TENS_NUMBER = r"(?:zwanzig|dreißig|dreissig|vierzig|fünfzig|fuenfzig|sechzig|siebzig|achtzig|neunzig)"
_TEENS_NUMBER = r"(?:zehn|elf|zwölf|zwoelf|dreizehn|vierzehn|fünfzehn|fuenfzehn|sechzehn|siebzehn|achtzehn|neunzehn)"
_SPOKEN_20_TO_99 = rf"(?:{_UNIT_NUMBER}[ -]?und[ -]?{_TENS_NUMBER}|{_TENS_NUMBER})"
_SPOKEN_1_TO_99 = rf"(?:{_SPOKEN_20_TO_99}|{_TEENS_NUMBER}|{_UNIT_NUMBER})"
_SPOKEN_YEAR = (
    rf"(?:(?:neunzehn[ -]?hundert|zweitausend|zwotausend)(?:[ -]?(?:und[ -]?)?{_SPOKEN_1_TO_99})?"
    rf"|neunzehn[ -]?{_SPOKEN_20_TO_99}|zwanzig(?:{_TEENS_NUMBER}|{_SPOKEN_20_TO_99}))(?![\w])"
)  # "zwanzigneunzehn" (2019) is said as one word
_ORDINAL = (
    r"(?:(?:(?:ein|zwei|drei|vier|fünf|fuenf|sechs|sieben|acht|neun)[ -]?und[ -]?)?(?:zwanzig|dreißig|dreissig)ste"
    r"|erste|zweite|zwote|dritte|vierte|fünfte|fuenfte|sechste|siebte|siebente|achte|neunte|zehnte|elfte|zwölfte"
    r"|zwoelfte|(?:drei|vier|fünf|fuenf|sech|sieb|acht|neun)zehnte)[nrsm]?(?![\w])"
)
# Days named by a feast instead of a date: "am dritten advent", "an heiligabend", "am rosenmontag".
_FEAST_DAY = (
    rf"(?:{_ORDINAL}[ ]+(?:advent|adventssonntag|weihnachtstag|weihnachtsfeiertag|feiertag|ostertag|pfingsttag)"
    r"|heiligabend|heiligen[ ]+abend|silvester|neujahr|neujahrstag|rosenmontag|weiberfastnacht|aschermittwoch"
    r"|karfreitag|gründonnerstag|oster(?:sonntag|montag)|pfingst(?:sonntag|montag)|fronleichnam|allerheiligen"
    r"|nikolaus(?:tag)?|valentinstag|muttertag|vatertag|himmelfahrt|reformationstag|martinstag|sankt[ ]+martin"
    r"|tag[ ]+der[ ]+(?:arbeit|deutschen[ ]+einheit))(?![\w])"
)
_WRITTEN_YEAR = rf"(?:{_YEAR4}(?![0-9])|'?[0-9]{{2}}(?![0-9]){_NOT_A_QUANTITY}|{_SPOKEN_YEAR}|{_SPOKEN_20_TO_99}{_END})"

_NUMERIC_DATE = _compile(
    rf"(?<![\w.]){_DAY}(?:[./-]{_MONTH}[./-](?:19|20)?[0-9]{{2}}|\.[ ]{_MONTH}\.[ ]?{_YEAR4})(?![0-9])"
)
_ISO_DATE = _compile(rf"{_DIGIT_RUN_START}{_YEAR4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?![0-9])")
_SPACED_DATE = _compile(rf"{_DIGIT_RUN_START}{_DAY}[ ]{_MONTH}[ ]{_YEAR4}(?![ ]?[0-9])")
_WRITTEN_DATE = _compile(
    rf"{_START}(?=[0-9]|\w{{2,30}}te[nrsm]?[ ])(?:{_DAY}\.?|{_ORDINAL})[ ]+"
    rf"(?:{_MONTH_NAME}|{_MONTH}\.|{_ORDINAL})[ ,]*{_WRITTEN_YEAR}(?!\.[ ]*{_MONTH_NAME})"
)
# A month said as an ordinal: "am zwanzigsten achten" (20 August).
_MONTH_ORDINAL = (
    r"(?:erste|zweite|zwote|dritte|vierte|fünfte|fuenfte|sechste|siebte|siebente|achte|neunte|zehnte|elfte|zwölfte"
    r"|zwoelfte)[nrsm]?(?![\w])"
)
_PARTIAL_BIRTH_DATE = (
    rf"(?:(?:{_DAY}\.?|{_ORDINAL})[ ]+(?:{_MONTH_NAME}|{_MONTH_ORDINAL})"
    rf"|{_MONTH_NAME}[ ]+(?:{_YEAR4}|{_SPOKEN_YEAR}|{_SPOKEN_20_TO_99}{_END}|[0-9]{{2}}(?![0-9]))"
    rf"|{_DAY}\.{_MONTH}\.|{_YEAR4}|{_SPOKEN_YEAR}|{_SPOKEN_20_TO_99}{_END}|'?[0-9]{{2}}(?![0-9])|{_FEAST_DAY})"
)
# "baujahr" is a birth year only when said of a person: "ich bin baujahr achtundfünfzig".
_BIRTH_KEYWORD = (
    r"(?:geboren|geb\.|geburtsdatum|geburtstag|geburtsjahr(?:gang)?|jahrgang|jg\."
    r"|(?:bin(?:[ ]ich)?|(?:er|sie)[ ]is[t]?|is[t]?[ ](?:er|sie))[ ]+baujahr)"
)
_INTRODUCED_BIRTH_DATE = _compile(
    rf"(?<![\w-]){_BIRTH_KEYWORD}"
    rf"(?:[ ]*(?::|ist|is|lautet|war|am|an|im|der|den|jahr|bin|ich|er|sie|wurde|wurden|sind|wir|anno|also)"
    rf"(?![\w])){{0,3}}[ ]*"
    rf"(?P<value>{_PARTIAL_BIRTH_DATE})(?![0-9])"
)
_BIRTH_KEYWORD_AFTER = _compile(r"[ ](?:geboren|geburtstag)")
# A year told right after a birth date already found: "am [GEBURTSDATUM] geburtstag, zweitausendzwölf".
_YEAR_AFTER_BIRTH_DATE = _compile(
    rf"\[GEBURTSDATUM\](?:[ ]+\w+){{0,2}}[ ,]+(?:also[ ]+|und[ ]+)?(?P<value>{_YEAR4}(?![0-9])|{_SPOKEN_YEAR})"
    rf"(?=[ ]*(?:$|[,.;!?])|[ ]+{_FUNCTION_WORDS}{_END})"
    # "jahrgang [GEBURTSDATUM] und ich zweiundfünfzig": a second person's year, the keyword left out
    rf"|\[GEBURTSDATUM\][ ]+und[ ]+(?:ich|er|sie|die|der|meine?[ ]+\w+)[ ]+"
    rf"(?P<ellipsis>{_YEAR4}(?![0-9])|{_SPOKEN_YEAR}|{_SPOKEN_20_TO_99}{_END}|'?[0-9]{{2}}(?![0-9]))"
    rf"(?=[ ]*(?:$|[,.;!?])|[ ]+(?:und|geboren)(?![\w]))"
    # "am [GEBURTSDATUM], dreikönige, im jahr achtzig": the year named as such, a few words on in the sentence
    rf"|\[GEBURTSDATUM\](?:[ ,]+[^\s,.;!?]+){{0,4}}?[ ,]+(?:im[ ]+jahre?|anno|jahrgang)[ ]+"
    rf"(?P<named>{_YEAR4}(?![0-9])|{_SPOKEN_YEAR}|{_SPOKEN_20_TO_99}{_END}|'?[0-9]{{2}}(?![0-9]))"
)


# A feast day alone is a birth date only when said of someone ("ich bin an heiligabend geboren", "meine tochter
# hat an silvester geburtstag"), not of anybody ("kinder, die an heiligabend geboren sind, …").
_FEAST_DAY_RE = _compile(_FEAST_DAY)
_SOMEONE = _compile(
    r"(?<![\w])(?:ich|mich|mir|mein\w*|wir|uns|unser\w*|er|sie|sohn|tochter|mann|frau|kind|kleine[rn]?|oma|opa"
    r"|mutter|vater|papa|mama|enkel\w*|bruder|schwester)(?![\w])|\[(?:NAME|GEBURTSDATUM)\]"
)


def _replace_birth_date(match: re.Match[str]) -> str:
    if _FEAST_DAY_RE.fullmatch(match.group("value")) and not _SOMEONE.search(match.string):
        return match.group(0)
    return _replace_value(GEBURTSDATUM)(match)


def _replace_year_after_birth_date(match: re.Match[str]) -> str:
    group = next(g for g in ("value", "ellipsis", "named") if match.group(g) is not None)
    return _replace_group(match, group, GEBURTSDATUM)


_BIRTH_CONTEXT = _compile(r"gebor|geb\.|geburt|jahrgang|dob|baujahr|storben|verst\.|gest\.|todes|sterbedatum|sterbetag")
# Dates from the year before this one on are dates of letters, appointments and deadlines, not of birth,
# unless a word about birth or death stands before them ("geboren am 03.11.2026", "verstorben am 03.02.2025").
_RECENT_YEARS_FROM = datetime.date.today().year - 1
_BIRTH_CONTEXT_WINDOW = 40
_CENTURY_SPLIT = 30  # a two-digit year below it is 20xx, from it on 19xx


def _year_of(date_text: str) -> int | None:
    """The year of a typed date ("03.11.2026", "3.4.80", "2026-11-03"); None for a date in words."""
    groups = re.findall(r"[0-9]+", date_text)
    four_digits = [g for g in groups if len(g) == 4]
    if four_digits:
        return int(four_digits[0])
    if len(groups) == 3 and len(groups[-1]) == 2:
        value = int(groups[-1])
        return 2000 + value if value < _CENTURY_SPLIT else 1900 + value
    return None


_DEATH_CONTEXT = _compile(r"storben|verst\.|gest\.|todes|sterbedatum|sterbetag")


def _replace_date(match: re.Match[str]) -> str:
    year = _year_of(match.group(0))
    before = match.string[max(0, match.start() - _BIRTH_CONTEXT_WINDOW) : match.start()]
    if year is not None and year >= _RECENT_YEARS_FROM and not _BIRTH_CONTEXT.search(before):
        return match.group(0)
    death = _DEATH_CONTEXT.search(before)
    return STERBEDATUM if death and not re.search(r"gebor|geb\.|geburt", before[death.end() :]) else GEBURTSDATUM


_BIRTH_DATE_BEFORE_KEYWORD = _compile(
    rf"{_START}(?P<value>{_PARTIAL_BIRTH_DATE})(?![0-9])[ ]+(?:geboren|geburtstag){_END}"
)

# ---- phone numbers ---------------------------------------------------------------------------------
"""German landline and mobile numbers: a leading ``0``, ``+49``, ``0049`` or spoken "plus 49", an optional
``(0)``, then at least six more digits grouped by spaces, slashes or dashes (``0203 / 12 34-56``).
Digits spelled out as words ("null zwei null drei ...") are covered by the spelled-digit rule.
"""
_PHONE = _compile(
    r"(?<![\w+])(?<![0-9][ ./-])"
    r"(?:(?:\+|00|plus[ ])[ ]?49[ ]?(?:\(0\)[ ]?)?|\(?0)"
    r"[ ]?[1-9](?:\)?(?:[ ]?[/-][ ]?|[ ])?[0-9]){5,13}"
    r"(?![ /-]?[0-9])"
)

_DIGIT_WORD = r"(?:null|eins|zwei|zwo|drei|vier|fünf|fuenf|sechs|sieben|acht|neun)"
_SPOKEN_HUNDREDS = rf"(?:{_UNIT_NUMBER}|zwo)?hundert(?:und)?(?:{_SPOKEN_1_TO_99}|zwo)?"
# A digit said twice or three times: "doppel-null", "zweimal die fünf", "dreimal die acht".
_REPEATED_DIGIT = rf"(?:doppel(?:-|[ ])?|(?:zwei|drei|vier)mal[ ](?:die[ ])?){_DIGIT_WORD}(?![\w])"
_SPELLED_DIGIT_TOKEN = (
    rf"(?:{_REPEATED_DIGIT}|{_DIGIT_WORD}(?![\w])|{_SPOKEN_HUNDREDS}(?![\w])|{_SPOKEN_20_TO_99}(?![\w])"
    rf"|{_TEENS_NUMBER}(?![\w])|[0-9]+)"
)
_SPELLED_DIGIT_TOKEN_RE = _compile(_SPELLED_DIGIT_TOKEN)
_DIGIT_GROUP_CONNECTOR = r"(?:[ ,]+(?:und[ ]+)?dann(?:[ ]+(?:kommt|noch))?)?"
_SPELLED_DIGITS = _compile(
    rf"{_START}{_SPELLED_DIGIT_TOKEN}(?:{_DIGIT_GROUP_CONNECTOR}[ ,]+{_SPELLED_DIGIT_TOKEN}){{1,30}}{_END}"
    rf"(?P<unit>[ ]?(?:{_UNIT_WORDS}{_END}|€|%))?"
)
_REPEATED_DIGIT_RE = _compile(_REPEATED_DIGIT)
_REPEAT_COUNT = {"doppel": 2, "zweimal": 2, "dreimal": 3, "viermal": 4}
_DIGIT_WORD_ONLY = _compile(_DIGIT_WORD)
_SPOKEN_WITH_DIGITS = _compile(rf"{_DIGIT_WORD}|{_SPOKEN_20_TO_99}|{_TEENS_NUMBER}|{_SPOKEN_HUNDREDS}")
# Spoken digits in a row that identify something: five or more digits in all (a postal code, a customer number).
_MIN_IDENTIFYING_DIGITS = 5


def _digit_count(token: str) -> int:
    """How many digits a spoken or written token stands for: "null" 1, "achtundneunzig" 2, "dreihundert" 3."""
    lowered = token.lower()
    if lowered.isdigit():
        return len(lowered)
    if _REPEATED_DIGIT_RE.fullmatch(lowered):
        return next(count for word, count in _REPEAT_COUNT.items() if lowered.startswith(word))
    if "hundert" in lowered:
        return 3
    if _DIGIT_WORD_ONLY.fullmatch(lowered):
        return 1
    return 2


def _replace_spelled_digits(match: re.Match[str]) -> str:
    """Five or more digits with at least one spoken word, not a quantity: a phone number when it starts with zero."""
    if match.group("unit"):
        return match.group(0)
    tokens = _SPELLED_DIGIT_TOKEN_RE.findall(match.group(0))
    if not any(_SPOKEN_WITH_DIGITS.fullmatch(t) or _REPEATED_DIGIT_RE.fullmatch(t) for t in tokens):
        return match.group(0)
    if sum(_digit_count(t) for t in tokens) < _MIN_IDENTIFYING_DIGITS or _is_spoken_service_number(tokens):
        return match.group(0)
    return TELEFON if tokens[0].lower() == "null" or tokens[0].startswith("0") else NUMMER


# ---- tax identification numbers --------------------------------------------------------------------
"""Eleven digits not starting with zero, whole or grouped (``12 345 678 901``). Numbers with a leading
zero are phone numbers and were taken before.
"""
_TAX_ID = _compile(rf"{_DIGIT_RUN_START}[1-9](?:[ ]?[0-9]){{10}}(?![ ./-]?[0-9]){_END}")

# ---- identity card and passport serials ------------------------------------------------------------
"""Nine characters from the alphabet of German identity card and passport serials (digits and
C F G H J K L M N P R T V W X Y Z: no vowels, no B, D, Q, S), starting with a letter and holding at
least two digits (``L01X00T47``, ``C01X00T47``). Ordinary words hold no digits, so they stay.
"""
_ID_DOCUMENT_SERIAL = _compile(
    r"(?<![\w])(?=[a-z]*[0-9][a-z]*[0-9])[cfghjklmnprtvwxyz][cfghjklmnprtvwxyz0-9]{8}(?![\w])"
)

# German pension insurance numbers: area, date of birth, the surname's first letter, a serial ("12 150565 M 123").
_PENSION_INSURANCE_NUMBER = _compile(r"(?<![\w])[0-9]{2}[ ]?[0-9]{6}[ ]?[a-z][ ]?[0-9]{3}(?![\w])")
_HEALTH_INSURANCE_NUMBER = _compile(r"(?<![\w])[a-z][ ]?[0-9]{9}(?![\w])")
_LICENCE_NUMBER = _compile(r"(?<![\w])(?=[a-z0-9]*[0-9]{4})(?=[a-z0-9]*[a-z])[a-z0-9]{10,11}(?![\w])")

# ---- street addresses ------------------------------------------------------------------------------
"""A street name with one of the usual endings, followed by a house number (``12``, ``12a``, ``12 a``,
``12-14``, ``12/1``): "Friedrich-Wilhelm-Straße 12a", "kaiserstr 5", "düsseldorfer straße 7",
"am buchenweg 7". Words like "Weg", "Platz" or "Ring" on their own count only after an adjective such
as "Duisburger" ("Duisburger Ring 3"); compounds that are ordinary nouns ("Parkplatz", "Gehweg") and
numbers that are quantities ("Gehweg 3 Meter") stay.
"""
_STRONG_STREET_SUFFIX = r"(?:straße|strasse|str\.?|allee|gasse|chaussee)"
_WEAK_STREET_SUFFIX = r"(?:weg|platz|ring|damm|(?<![äar])ufer|pfad)"
_HOUSE_NUMBER = (
    rf"[0-9]{{1,4}}(?:[ ]?[a-h](?![\w]))?(?:[ ]?[-/][ ]?[0-9]{{1,4}}[a-h]?)?(?![0-9]|[.,][0-9]){_NOT_A_QUANTITY}"
)
# "ein"/"eine" are articles, never a house number ("auf dem bescheid steht eine ..."); a letter after a spoken
# number is a separate word ("drei a").
_SPOKEN_HOUSE_NUMBER = (
    rf"(?!ein(?:e|en|em|er|es)?(?![\w]))"
    rf"(?:(?:(?:ein|zwei|zwo|drei|vier|fünf|sechs|sieben|acht|neun)?hundert(?:und)?)?(?:{_SPOKEN_1_TO_99}|zwo)"
    rf"|(?:ein|zwei|zwo|drei|vier|fünf|sechs|sieben|acht|neun)?hundert)(?:[ ][a-h])?(?![\w]){_NOT_A_QUANTITY}"
)
_ANY_HOUSE_NUMBER = rf"(?:{_HOUSE_NUMBER}|{_SPOKEN_HOUSE_NUMBER})"
_COMMON_NOUNS_WITH_STREET_SUFFIX = frozenset((
    "parkplatz", "stellplatz", "spielplatz", "arbeitsplatz", "sitzplatz", "sportplatz", "bolzplatz", "campingplatz",
    "liegeplatz", "schulplatz", "kitaplatz", "studienplatz", "ausbildungsplatz", "platz", "umweg", "ausweg",
    "rückweg", "heimweg", "hinweg", "fußweg", "fussweg", "radweg", "gehweg", "rechtsweg", "postweg", "dienstweg",
    "zahlungsweg", "bildungsweg", "weg", "ehering", "schlüsselring", "hering", "gering", "ring", "staudamm",
    "bahndamm", "damm", "ufer", "pfad", "trampelpfad", "sackgasse", "einbahnstraße", "einbahnstrasse", "straße",
    "strasse", "str", "allee", "gasse", "chaussee",
))  # fmt: skip
_COMMON_STREET_NOUNS = _words(*_COMMON_NOUNS_WITH_STREET_SUFFIX)
_STREET_SUFFIX_BEFORE = (
    "(?:"
    + "|".join(
        f"(?<={re.escape(suffix)})"
        for suffix in ("straße", "strasse", "str", "str.", "allee", "gasse", "chaussee", "weg", "platz", "ring", "damm")
    )
    + "|(?<=pfad)|(?<=ufer)(?<![äar]ufer))"
)  # the word just read ends with a street suffix
_NUMBER_START = (
    r"(?:[0-9]|ein|zwei|zwo|drei|vier|fünf|sech|sieb|acht|neun|zehn|elf|zwölf|hundert|zwanzig|dreißig|dreissig"
    r"|vierzig|fünfzig|sechzig|siebzig|achtzig|neunzig)"
)
# Between the street and its number: nothing, a comma, or "nummer" ("hünxer weg nummer vierzehn").
_BEFORE_HOUSE_NUMBER = r"(?:[ ,]{0,2}|[ ,]+(?:hausnummer|nummer|nr\.?)[ ]+)"
_COMPOUND_STREET_WITH_NUMBER = _compile(
    rf"(?:{_STRONG_STREET_SUFFIX}|{_WEAK_STREET_SUFFIX}){_BEFORE_HOUSE_NUMBER}{_NUMBER_START}"
)
_COMPOUND_STREET = _compile(
    rf"(?<![\w-])(?P<street>{_LETTER}[\w-]{{0,60}}+)\.?{_STREET_SUFFIX_BEFORE}{_BEFORE_HOUSE_NUMBER}{_ANY_HOUSE_NUMBER}"
)


# The address of a public place: an office or institution named before it in the same sentence, and nothing
# personal ("wo ist das bürgerbüro in der düsseldorfer straße 1", article text). A first-person address word
# or sending something there makes it the caller's again ("ich wohne gegenüber vom rathaus, kirchstraße 5").
_PUBLIC_PLACE = _compile(
    r"(?:büro|amt|ämter|behörde|stelle|rathaus|verwaltung|zentrale|bibliothek|schule|kita|wertstoffhof|recyclinghof"
    r"|betriebshof|zentrum|center"
    r"|kasse|museum|halle|bad|krankenhaus|gericht|polizei|wache|feuerwehr|betriebe|stadtwerke|standort|filiale"
    r"|praxis|kirche|sparkasse|haltestelle)(?:s|n|en|e)?(?![\w])"
)
# Personal: first-person words, sending something, and a person the note is about ("Halter", "Frau", "Kunde").
_PERSONAL_ADDRESS_CUE = _compile(
    r"(?<![\w])(?:wohn\w*|mein\w*|unser\w*|mir|uns|\w*adresse|\w*anschrift|schick\w*|send\w*|zustell\w*|liefer\w*"
    r"|(?:halter|kunde|kundin|bürger|antragsteller|anrufer|mieter|eigentümer)(?:in)?|frau|herrn?|fam\.?|familie"
    r"|\[NAME\])(?![\w])"
)
# A public place named as a landmark ("hinterm rathaus, kirchstraße 5") points to the caller's own address.
_LANDMARK_BEFORE = _compile(
    r"(?:hinter|hinterm|neben|gegenüber|nähe|bei|beim|vor|vorm|am|an[ ]der|an[ ]dem|zwischen|um[ ]die[ ]ecke)"
    r"(?:[ ]+(?:der|dem|den|vom|von|zum|zur))?[ ]+\w*$"
)
_SENTENCE_START = re.compile(r"[.!?;:]\s")
_PUBLIC_PLACE_WINDOW = 80


def _is_public_place_address(match: re.Match[str]) -> bool:
    window_start = max(0, match.start() - _PUBLIC_PLACE_WINDOW)
    before = match.string[window_start : match.start()]
    sentence_starts = [m.end() for m in _SENTENCE_START.finditer(before)]
    if sentence_starts:
        before = before[sentence_starts[-1] :]
    places = list(_PUBLIC_PLACE.finditer(before))
    if not places or _PERSONAL_ADDRESS_CUE.search(before) is not None:
        return False
    return _LANDMARK_BEFORE.search(before, 0, places[-1].end()) is None


def _replace_street_address(match: re.Match[str]) -> str:
    """Like ``_replace_value(ADRESSE)`` (the whole match without a ``value`` group), except a public place's address."""
    if _is_public_place_address(match):
        return match.group(0)
    if "value" in match.re.groupindex:
        return _replace_value(ADRESSE)(match)
    return ADRESSE


# A number of an office: "ist die postleitzahl vom rathaus 46535", "die bürgerbüro-nummer 0203 283 0" (the
# number is said to be the office's, and the sentence has no first-person word at all). Service numbers
# (0800, 0180x, 0900, 0700, 0137) are never a caller's. A note like "Wohngeldstelle: Rückruf 0171 …" is
# the caller's number: the office is not named as the number's owner.
_FIRST_PERSON = _compile(r"(?<![\w])(?:ich|mich|mir|mein\w*|wir|uns|unser\w*|wohn\w*|schick\w*)(?![\w])")
_PLACE_STEM = _PUBLIC_PLACE.pattern.removesuffix(r"(?:s|n|en|e)?(?![\w])")
_OFFICE_NUMBER_CUE = _compile(
    rf"(?:nummer|telefon\w*|hotline|durchwahl|postleitzahl|plz|fax)[ ]+(?:vom|von[ ]+der|von[ ]+dem|des|der)[ ]+"
    rf"[\w-]*{_PLACE_STEM}|{_PLACE_STEM}(?:s|n|en|e)?-?(?:nummer|hotline|telefon|durchwahl|postleitzahl)"
)
_SERVICE_NUMBER = re.compile(r"(?:\+49|0049)?[ (]*0?[ ]?(?:800|180|900|700|137)")


# A number an office gives to one person is no office's number: "die bg-nummer vom jobcenter is …".
_PERSONAL_NUMBER_WORD = _compile(
    r"(?:kunden|bg|bedarfsgemeinschafts|vorgangs|akten|mitglieds|versicherten|versicherungs|steuer|konto|vertrags"
    r"|personal|buchungs|antrags|fall|bescheid|referenz|ticket|schüler|ausweis)[ -]?(?:nummer|nr\.?|zeichen)"
    r"|kassenzeichen|aktenzeichen|geschäftszeichen"
)


def _is_public_number(match: re.Match[str]) -> bool:
    if _SERVICE_NUMBER.match(re.sub(r"[ /()-]", "", match.group(0))):
        return True
    window_start = max(0, match.start() - _PUBLIC_PLACE_WINDOW)
    before = match.string[window_start : match.start()]
    sentence_starts = [m.end() for m in _SENTENCE_START.finditer(before)]
    if sentence_starts:
        before = before[sentence_starts[-1] :]
    sentence_end = _SENTENCE_START.search(match.string, match.end())
    after = match.string[match.end() : sentence_end.start() if sentence_end else len(match.string)]
    return (
        _OFFICE_NUMBER_CUE.search(before) is not None
        and _PERSONAL_NUMBER_WORD.search(before) is None
        and _FIRST_PERSON.search(before) is None
        and _FIRST_PERSON.search(after) is None
    )


def _replace_phone(match: re.Match[str]) -> str:
    return match.group(0) if _is_public_number(match) else TELEFON


def _replace_long_number(match: re.Match[str]) -> str:
    return match.group(0) if _is_public_number(match) else NUMMER if match.re is _LONG_NUMBER else ADRESSE


def _replace_compound_street(match: re.Match[str]) -> str:
    if match.group("street").lower() in _COMMON_NOUNS_WITH_STREET_SUFFIX:
        return match.group(0)
    return _replace_street_address(match)


_STREET_WORD = rf"{_NOT_A_FUNCTION_WORD}{_LETTER}[\w.'-]{{0,40}}(?![\w.'-])"
_NOT_AFTER_ARTICLE = "".join(
    rf"(?<![ ]{word}[ ])(?<!^{word}[ ])" for word in ("am", "im", "zum", "zur", "dem", "den", "der", "die", "das")
)
# The last word of a street may be "weg" or "straße" (function words elsewhere: "krummen weg zwölf"), but only
# after another street word, never right after an article or preposition ("auf dem weg zwei kinder").
_LAST_STREET_WORD = rf"(?:{_STREET_WORD}|{_NOT_AFTER_ARTICLE}(?<=[\w.'-][ ])(?:weg|straße|strasse)(?![\w.'-]))"
_PLACE_ADJECTIVE = rf"{_NOT_A_FUNCTION_WORD}{_LETTER}[\w-]{{0,40}}er(?![\w-])"  # "Düsseldorfer", "Alter"
_NOT_A_PLACE_ADJECTIVE = r"(?![\w-]{0,40}er(?![\w-]))"
_SUFFIX_WITHIN_THREE_WORDS = rf"(?=(?:[\w.'-]{{1,41}}[ ]){{1,3}}(?:{_STRONG_STREET_SUFFIX}|{_WEAK_STREET_SUFFIX})[ ,])"
_SEPARATE_STREET_WITH_NUMBER = _compile(
    rf"[ ](?:{_STRONG_STREET_SUFFIX}|{_WEAK_STREET_SUFFIX}){_BEFORE_HOUSE_NUMBER}{_NUMBER_START}"
)
_SEPARATE_STREET = _compile(
    rf"(?<![\w-]){_SUFFIX_WITHIN_THREE_WORDS}(?P<value>"
    rf"{_PLACE_ADJECTIVE}[ ](?:{_STRONG_STREET_SUFFIX}|{_WEAK_STREET_SUFFIX}){_BEFORE_HOUSE_NUMBER}{_ANY_HOUSE_NUMBER}"
    rf"|(?:{_STREET_WORD}[ ])?{_NOT_A_PLACE_ADJECTIVE}{_STREET_WORD}[ ]{_STRONG_STREET_SUFFIX}{_BEFORE_HOUSE_NUMBER}"
    rf"{_ANY_HOUSE_NUMBER})"
)

_ADDRESS_INTRO = _compile(r"wohn|adresse|anschrift|straße[ ](?:is|hei)")
# Words between a street and its house number: "hünxer weg nummer vierzehn", "kampstraße hausnummer 3".
_HOUSE_NUMBER_WORD = r"(?:[ ,]*(?:hausnummer|nummer|nr\.?))?[ ]"
# Prepositions before a street named without an ending: "im schlenk", "zum hagelkreuz", "auf der heide".
_STREET_PREPOSITION = (
    r"(?:am|im|aufm|zum|zur|beim|hinterm|unterm|vorm|vom|vonne|inne|anne|aufe|auffe"
    r"|(?:in|an|auf|bei|hinter|unter|vor|über|aus|von)[ ](?:der|dem|den)|in[ ]die)"
)
_ADDRESS_CUE = (
    r"(?:wohne?n?|wohnt|wohnhaft|[\w-]{0,12}(?:adresse|anschrift)(?:[ ](?:von|vom)[ ]\w+(?:[ ]\w+)?)?"
    r"(?:[ ](?:ist|is|lautet|war|wäre))?|straße[ ](?:ist?|heißt|lautet))"
)
# Nouns that count things: a number after them is no house number ("im raum 12", "in der zone drei").
_NOT_A_NUMBERED_THING = _words(
    "jahr", "jahre", "raum", "zimmer", "gleis", "bus", "linie", "kapitel", "paragraf", "paragraph", "absatz",
    "seite", "punkt", "alter", "januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
    "oktober", "november", "dezember", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag",
    "sonntag", "wochenende", "ende", "anfang", "stück", "schalter", "platz", "tag", "tage", "monat", "woche",
    "haus", "gebäude", "eingang", "tor", "block", "level", "stufe", "klasse", "runde", "termin", "nummer",
    "zone", "etage", "stock", "stockwerk", "tür", "fenster", "kasse", "wartenummer", "bezirk", "wahlbezirk",
    "wahllokal", "bereich", "abschnitt", "gruppe", "teil", "grad", "minute", "uhr", "version", "artikel",
    "tarif", "stelle", "standort", "halle", "saal", "treppe", "ausgang", "bahnsteig", "haltestelle", "kita",
    "schule", "grundschule", "gesamtschule", "gymnasium", "zimmernummer", "ticket", "formular", "antrag",
    "format", "größe", "maß", "sommer", "winter", "herbst", "frühling", "frühjahr", "urlaub", "quartal", "halbjahr",
    "schuljahr", "sommerferien", "herbstferien", "osterferien", "winterferien", "ferien", "bahn", "straßenbahn",
    "strassenbahn", "tram", "zug", "s-bahn", "u-bahn", "ubahn", "sbahn", "buslinie", "nachtbus", "regionalbahn",
    "regionalexpress", "flug", "flugzeug", "taxi", "zwischen", "gegen", "etwa", "circa", "ca.",
)  # fmt: skip
_INTRODUCED_ADDRESS = _compile(
    rf"(?<![\w-]){_ADDRESS_CUE}[ ,:]+"
    rf"(?:{_STREET_PREPOSITION}[ ]|(?:jetzt|noch|seit[ ]\w+)[ ]|"
    rf"(?:in[ ]der[ ]\w+|in[ ]\w+)[ ]?,[ ]?)?"
    rf"(?P<value>(?:{_STREET_WORD}[ ]){{0,1}}(?!{_NOT_A_NUMBERED_THING}[ ]){_LAST_STREET_WORD}{_HOUSE_NUMBER_WORD}"
    rf"{_ANY_HOUSE_NUMBER})"
)
# A street with a usual ending after such a cue, even without a house number: "ich wohne in der
# tiergartenstraße", "straße is die düsseldorfer landstraße", "straße heißt wiesengrund".
_STREET_ENDING = r"(?:straße|strasse|str\.|weg|allee|gasse|platz|ring|damm|ufer|pfad|chaussee|landstraße)"
_INTRODUCED_STREET = _compile(
    rf"(?<![\w-]){_ADDRESS_CUE}[ ,:]+(?:(?:\w+,?[ ]){{0,4}}?(?:{_STREET_PREPOSITION}|in[ ]die)[ ]|(?:die|der)[ ])?"
    rf"(?P<value>{_PLACE_ADJECTIVE}[ ](?:{_LETTER}[\w-]{{0,40}})?{_STREET_ENDING}"
    rf"|(?!{_COMMON_STREET_NOUNS}{_END}){_LETTER}[\w-]{{0,40}}{_STREET_ENDING}"
    rf"|(?<=heißt[ ]){_STREET_WORD})(?![\w])"
)
# "hausnummer zwölf", "meine hausnummer ist 17", "kampstraße hausnummer 3": the number alone, told as a
# house number ("die hausnummer 12 fehlt im stadtplan" stays: after an article and without a verb).
_INTRODUCED_HOUSE_NUMBER = _compile(
    rf"(?<![\w-])(?:(?<!die[ ])(?<!der[ ])(?<!eine[ ])(?<!keine[ ])(?<!ihre[ ])hausnummer|(?<=,[ ])haus[ ]nummer"
    rf"|haus[ ]?nummer[ ]+(?:ist|is|lautet|war)|haus[ ]?nummer[ ]*:"
    # after a person and a verb of having: "die hat die hausnummer hundertzwölf" ("das haus hat die …" stays)
    rf"|(?<![\w])(?:ich|wir|sie|er|die|der|mann|frau|mutter|vater|oma|opa|nachbar|nachbarin|nachbarn|eltern|sohn"
    rf"|tochter|schwester|bruder|leute)[ ]+(?:hat|habe|hab|ham|haben|hatte|hatten)[ ]+(?:die[ ]+)?haus[ ]?nummer)"
    rf"[ ,:]+(?P<value>{_ANY_HOUSE_NUMBER})"
)
# A house number or a flat told right after an address already found: "[ADRESSE], nummer dreißig", "wohnung 12".
_NUMBER_AFTER_ADDRESS = _compile(
    rf"\[ADRESSE\][ ,]+(?:(?:(?:die|meine|bei|mit|unter)[ ]+)?(?:hausnummer|nummer|nr\.?)"
    rf"(?:[ ]+(?:is|ist|wäre|lautet))?[ ]+"
    rf"(?P<value>{_ANY_HOUSE_NUMBER})"
    rf"|(?:[\w ]{{0,30}}?,[ ]*)?(?:wohnung|whg\.?|appartement|apartment)[ ]+"
    rf"(?P<flat>[0-9]{{1,4}}[a-z]?|{_SPOKEN_1_TO_99})(?![\w]))"
)
_FLAT_NUMBER = _compile(
    r"(?<![\w-])(?:wohnung|whg\.?|appartement|apartment)(?:[ ]+(?:nummer|nr\.?))?[ ]+(?P<value>[0-9]{1,4}[a-z]?)"
    r"(?=[ ]*(?:,|$|[.;])|[ ]+(?:da|im|in|bei)(?![\w]))"
)


def _replace_number_after_address(match: re.Match[str]) -> str:
    group = "value" if match.group("value") else "flat"
    return _replace_group(match, group, ADRESSE)


# A place adjective and a house number between commas or at the end: "vor der tür, wanheimer 45, liegt müll".
_COUNTED_NOUNS_ENDING_IN_ER = _words(
    "nummer", "zimmer", "kinder", "alter", "liter", "meter", "kilometer", "oktober", "november", "dezember",
    "september", "semester", "formular", "jahrgänger", "eimer", "container", "über", "unter", "hinter", "oder",
    "aber", "immer", "wieder", "mehr", "jeder", "jener", "dieser", "welcher", "zähler", "zweier", "kalender",
)  # fmt: skip
_PLACE_ADJECTIVE_WITH_NUMBER = _compile(
    rf"(?:(?<=,)|(?<=,[ ])|^)(?P<value>(?!{_COUNTED_NOUNS_ENDING_IN_ER}[ ]){_LETTER}[\w-]{{2,40}}er[ ]"
    rf"[0-9]{{1,3}}(?:[ ]?[a-h](?![\w]))?){_NOT_A_QUANTITY}(?=[ ]*(?:,|$))"
)
# A place after "am"/"im"/"auf der"/"an der" with a house number: "im schlenk 33", "auf der weseler 212",
# "am alten markt zwölf" (streets named without an ending). Years, times and quantities are no house numbers,
# nor are numbers after nouns that count things ("im raum 12", "am gleis 3").
# An office or insurer is no street: "versicherungsnummer von der rentenkasse null sieben …".
_NOT_A_STREET_INSTITUTION = (
    r"(?![\w-]*(?:kasse|versicherung|behörde|verwaltung|amt|büro|stelle|gesellschaft|genossenschaft)(?![\w]))"
)
_PLACE_WITH_HOUSE_NUMBER = _compile(
    rf"(?<![\w-]){_STREET_PREPOSITION}[ ]"
    rf"(?P<value>{_NOT_A_STREET_INSTITUTION}(?:(?!{_NOT_A_NUMBERED_THING}[ ]){_STREET_WORD}[ ]){{0,1}}"
    rf"(?!{_NOT_A_NUMBERED_THING}[ ])"
    rf"{_NOT_A_STREET_INSTITUTION}{_LAST_STREET_WORD}{_HOUSE_NUMBER_WORD}"
    rf"(?!(?:19|20)[0-9]{{2}}(?![0-9]))(?:[0-9]{{1,3}}(?:[ ]?[a-h](?![\w]))?(?![0-9.,:]){_NOT_A_QUANTITY}"
    rf"(?![ ]?(?:uhr|h)(?![\w]))|{_SPOKEN_HOUSE_NUMBER}(?![ ]?uhr(?![\w]))))"
)
_HOUSE_NUMBER_HINT = _compile(rf"[ ](?:[0-9]|{_NUMBER_START})")
# The house number before the street: "wir sind die von vierundzwanzig b in der eschenstraße".
_HOUSE_NUMBER_BEFORE_STREET = _compile(
    rf"(?<![\w-])(?:von|vonne|aus|bei|nummer|hausnummer)[ ]+(?P<value>{_ANY_HOUSE_NUMBER}[ ]+(?:in|an|auf)[ ]+der[ ]+"
    rf"{_LETTER}[\w-]{{0,40}}{_STRONG_STREET_SUFFIX})(?![\w])"
)
# A house number alone after "wohn…" and "in der": "ich wohn da gegenüber in der neun" (the street said before).
_HOUSE_NUMBER_AFTER_WOHN = _compile(
    rf"(?<![\w-])wohn\w*(?:[ ]+\w+){{0,3}}?[ ]+in[ ]+der[ ]+"
    rf"(?P<value>(?:{_SPOKEN_HOUSE_NUMBER}|[1-9][0-9]{{0,2}}(?:[ ]?[a-h])?(?![\w]){_NOT_A_QUANTITY}))"
    rf"(?![ ]*[.,]?[ ]*[0-9])"
)
# A person "from" a street: "der [NAME] vonne zechenstraße", "die frau aus der lindenallee" (no number needed).
_STREET_OF_A_PERSON = _compile(
    r"(?:\[NAME\]|(?<![\w])(?:frau|herr|familie|nachbarn?|nachbarin|leute))[ ]+"
    r"(?:vonne|vom|von[ ]der|aus[ ]der|ausse|inne|in[ ]der)[ ]+"
    rf"(?P<value>{_LETTER}[\w-]{{0,40}}(?:straße|strasse|weg|allee|gasse|ring|platz))(?![\w])"
)

_POSTAL_CODE = _compile(
    r"(?<![\w])(?:(?:plz|postleitzahl)[ :]*[0-9]{5}|[0-9]{5}(?=[ ](?:duisburg|bottrop|dinslaken|oberhausen|essen"
    r"|mülheim|gladbeck|voerde|hünxe|wesel|moers|gelsenkirchen|dorsten)(?![\w])))(?![\w])"
)
_SPOKEN_POSTAL_CODE = _compile(
    rf"(?<![\w])(?:plz|postleitzahl)(?:[ ]is[t]?)?[ :]*(?P<value>(?:{_SPOKEN_DIGIT_FOR_CODES}[ ,]*){{4}}"
    rf"{_SPOKEN_DIGIT_FOR_CODES})"
)
_POSTAL_CODE_AFTER_CITY = _compile(r"(?<![\w])(?:duisburg|bottrop|dinslaken)[ ](?P<value>[0-9]{5})(?![\w])")

# ---- vehicle license plates ------------------------------------------------------------------------
"""District code, one or two letters, one to four digits, optional E (electric) or H (historic).

Typed plates in capitals (``DU-AB 1234``, ``BOT X 12E``) or with a hyphen (``du-ab 1234``) are taken
as they are. Lower-case plates without a hyphen ("du ab 1234") need a code from the region, three or
four digits that are not a year, and middle letters that are not a short German word ("du es 300").
"""
_TYPED_PLATE = _compile(
    r"(?<![\w-])(?:(?-i:[A-ZÄÖÜ]{1,3})(?:[ ]?[–-][ ]?|[ ])(?-i:[A-ZÄÖÜ]{1,2})[ -]?[1-9][0-9]{0,3}(?:[ ]?(?-i:[EH]))?"
    r"|(?!(?:mo|di|mi|do|fr|sa|so)-(?:mo|di|mi|do|fr|sa|so)(?![\w]))"  # "Mo-Fr 8:00"
    r"[a-zäöü]{1,3}-[a-zäöü]{1,2}[ -]?[1-9][0-9]{0,3}[eh]?)"
    r"(?![\w])(?![:.,]?[0-9])" + _NOT_A_QUANTITY
)
_REGIONAL_PLATE_CODE = _words(
    "du", "bot", "din", "ob", "e", "mh", "wes", "re", "ge", "gla", "kle", "d", "ne", "bo", "do", "me", "ve",
    "kr", "vie", "k", "her", "moe", "rees", "bor", "coe",
)  # fmt: skip
_SHORT_WORDS = _words(
    "es", "er", "da", "an", "am", "um", "zu", "so", "ja", "in", "im", "ob", "wo", "du", "ok", "eh", "na", "nu",
)  # fmt: skip
_LETTER_THEN_THREE_DIGITS = _compile(r"[a-z][ ]?[1-9][0-9]{2}")
_REGIONAL_PLATE = _compile(
    rf"(?<![\w-]){_REGIONAL_PLATE_CODE}[ ](?!{_SHORT_WORDS}[ ])[a-z]{{1,2}}[ ]?(?!{_YEAR4}(?![0-9]))"
    rf"[1-9][0-9]{{2,3}}[eh]?(?![\w]){_NOT_A_QUANTITY}"
)

# ---- person names ----------------------------------------------------------------------------------
"""One or two name words after an introducing phrase: "mein Name ist", "ich heiße", "Name:", "hier
spricht", "Frau", "Herr", "Familie", optionally with a title ("Herr Dr. Müller") and a spelled-out
repetition ("m ü l l e r"). Function words end the name, so "mein name ist müller und ich wollte"
keeps "und ich wollte". "Frau" after a possessive ("meine Frau braucht") is not a form of address.
"hier ist" counts only at the start or after a greeting, and only when the name is followed by the
end, punctuation or a function word ("hallo hier ist müller ich ...").
"""
# "o'sullivan", "d'angelo": a one-letter prefix joined by an apostrophe.
# Decades are no names: "ein kind der siebziger", "die achtziger".
_NOT_A_DECADE = rf"(?!(?:{_TENS_NUMBER}|{_YEAR4}|[0-9]{{2}})(?:er|ern|ers|erjahre|erjahren)(?![\w'’-]))"
_NAME_WORD = (
    rf"{_NOT_A_FUNCTION_WORD}{_NOT_A_DECADE}(?:{_LETTER}['’]{_LETTER}{{2,40}}|{_LETTER}{{2,40}})(?:[-'’]{_LETTER}{{1,40}}){{0,3}}"
    rf"(?![\w'’-])"
)
_TITLE = r"(?:(?:dr|prof|doktor|professor)(?:\.[ ]*|[ ]+)|(?:med|rer|nat|dent|dipl|ing)\.[ ]*){0,3}"
_NAME_PARTICLE = r"(?:(?:von|van|de|ten|zu)(?:[ ]+(?:der|den|dem|de|la))?[ ]+(?=" + _NAME_WORD + "))?"
_SPELLED_REPETITION = rf"(?:,?[ ]+(?:{_LETTER}[ ]){{1,30}}{_LETTER}(?![\w]))?"
# Initials: "Frau K. Meier", "Herr H. P. Kurz", spoken "h punkt j punkt lehmann".
_INITIAL = rf"(?:{_LETTER}(?:\.|[ ]punkt(?![\w]))[ ]*){{0,2}}"
# Vietnamese names have a middle name after "van"/"thi": "herr nguyen van long", "frau tran thi mai".
_VIETNAMESE_MIDDLE = rf"[ ]+(?:van|văn|thi|thị)[ ]+{_NAME_WORD}"
_NAME_VALUE = (
    rf"(?P<value>{_TITLE}{_INITIAL}{_NAME_PARTICLE}{_NAME_WORD}(?:{_VIETNAMESE_MIDDLE}|[ ]+{_NAME_WORD})?"
    rf"{_SPELLED_REPETITION})"
)
# After a strong cue a third name word counts before a comma or the end: "mein name ist rafael morales garcía, …".
_NAME_VALUE_AFTER_INTRO = (
    rf"(?P<value>{_TITLE}{_INITIAL}{_NAME_PARTICLE}{_NAME_WORD}(?:[ ]+{_NAME_WORD})?"
    rf"(?:[ ]+{_NAME_WORD}(?=[ ]*(?:$|[,.;!?])))?{_SPELLED_REPETITION})"
)
# Vietnamese and Chinese names have three words: "tran van minh", "vu thi hong".
_NAME_VALUE_THREE_WORDS = (
    rf"(?P<value>{_TITLE}{_INITIAL}{_NAME_PARTICLE}{_NAME_WORD}(?:[ ]+{_NAME_WORD}){{0,2}}{_SPELLED_REPETITION})"
)


_PET_WINDOW = 60
_PET_MENTIONED = _compile(
    r"(?<![\w])(?:hund|hündin|katze|kater|pferd|hase|vogel|sittich|papagei|hamster|welpe|kaninchen)(?![\w])"
)
_PRONOUN_AND_HEISST = _compile(
    r"(?<![\w])(?:der|die|er|sie|dat|das)[ ]+hei(?:ß|ss)t(?:[ ]+(?:übrigens|nur|doch|halt|auch))?[ ]+$"
)
_PERSON_MENTIONED = _compile(
    r"(?<![\w])(?:mann|frau|sohn|tochter|kind|vater|mutter|nachbar\w*|bruder|schwester|freund\w*|enkel\w*|herr"
    r"|oma|opa|papa|mama)(?![\w])"
)


def _names_a_pet(text: str, start: int) -> bool:
    """Whether the word at ``start`` follows "der heißt" about a pet named before and no person since: "muss
    mein hund an die leine, der heißt bruno"."""
    before = text[max(0, start - _PET_WINDOW) : start]
    pet = _PET_MENTIONED.search(before) if _PRONOUN_AND_HEISST.search(before) else None
    return pet is not None and not _PERSON_MENTIONED.search(before, pet.end())


def _replace_name_unless_a_pet(match: re.Match[str]) -> str:
    """Like ``_replace_name()``, except a pet's name ("der hund heißt bello")."""
    if _AFTER_A_PET.search(match.string, max(0, match.start() - 20), match.start()):
        return match.group(0)
    if _names_a_pet(match.string, match.start("value")):
        return match.group(0)
    # A name spelled in letter names after the cue ("mein nachname is ka ü es te er") is left whole to the
    # spelling rules, which decode it and remove the word it spells elsewhere ("… also küster").
    spelled = _SPELLED_LETTER_NAMES.match(match.string, match.start("value"))
    if spelled and _replace_spelled_letter_names(spelled) != spelled.group(0):
        return match.group(0)
    return _replace_name()(match)


_STRONG_NAME_INTRO = (
    r"(?:(?:mein|meine|der|sein|seine|ihr|ihre|unser)[ ]+(?:vor|nach|familien|ruf|mädchen|geburts)?name[ ]+"
    r"(?:ist|is|lautet|wäre|war)|antragsteller(?:in)?[ ]*:|hei(?:ß|ss)t|hie(?:ß|ss)(?:en)?(?=[ ])"
    # several people: "die kinder heißen lio und smilla"
    r"|(?:kinder|zwillinge|töchter|söhne|enkel|enkelkinder|beiden|jungs|mädchen)[ ]+hei(?:ß|ss)en(?=[ ])"
    r"|(?:mit[ ]+)?(?:vor|nach|familien|mädchen|geburts)namen?(?:[ ]+(?:ist|is|lautet|wäre|war))?(?=[ ]+\w)"
    # not before a verb: "muss ich einen zweiten vornamen angeben"
    r"(?![ ]+(?:angeben|ändern|eintragen|schreiben|buchstabieren|nennen|sagen|wissen|vergessen|tragen|annehmen"
    r"|behalten|führen|wählen|geben|brauchen|haben|ablegen|hinzufügen|streichen|löschen|weglassen)(?![\w]))"
    r"|(?:vor|nach|familien|ruf)?name[ ]*:"
    # a name field said at the start of a clause: "…, zweiter stock rechts, name hinnerk"
    r"|(?:(?<=^)|(?<=[,;.][ ]))(?:vor|nach|familien|ruf)?name(?=[ ]+\w)"
    r"|ich[ ]+hei(?:ß|ss)e|hier[ ]+spricht|am[ ]+apparat[ ]+ist|es[ ]+spricht|sie[ ]+sprechen[ ]+mit"
    r"|(?:auf|unter|mit)[ ]+(?:den|dem)[ ]+namen|namens(?=[ ])"
    # a nickname: "alle sagen jockel", "man nennt mich kalle"
    r"|(?:alle|man|die[ ]+leute|freunde)[ ]+"
    r"(?:sagen(?:[ ]+(?:nur|immer))?(?:[ ]+zu[ ]+mir)?|nennen[ ]+mich|nennt[ ]+mich)"
    r"|genannt(?=[ ])"
    r"|(?:anrufer|bürger|kunde|kundin|melder|halter|mieter|vermieter|eigentümer|absender|betroffene?r?|verstorbene?r?"
    r"|ehepartner|ehegatte|kind|vater|mutter|sohn|tochter|inhaber|kontoinhaber|ansprechpartner|vertreter"
    r"|empfänger|patient|schüler|bevollmächtigte[r]?|betreuer|erziehungsberechtigte[r]?)(?:in)?[ ]*:"
    r"|(?:mit[ ]+)?(?:freundlichen|besten|herzlichen|lieben|vielen)[ ]+grü(?:ß|ss)en,?)"
)
_POSSESSIVES = (
    "mein", "meine", "meiner", "meinem", "meinen", "ihre", "ihrer", "ihrem", "ihren", "seine", "seiner", "seinem",
    "seinen", "deine", "deiner", "unsere", "unserer", "eure", "eine", "einer", "einen", "einem", "keine", "jede",
    "jeder", "alte", "alten", "junge", "jungen", "nette", "netten", "ältere", "älteren",
)  # fmt: skip
_NOT_AFTER_POSSESSIVE = "".join(rf"(?<!\b{re.escape(w)}[ ])" for w in _POSSESSIVES)
# Pets have names too, but they are no personal data: "der hund heißt bello".
_AFTER_A_PET = _compile(r"(?:hund|hündin|katze|kater|pferd|hase|vogel|sittich|papagei|hamster|welpe)[ ]+$")
# Words that describe a name instead of telling it: "mein nachname is schwer", "… ist kompliziert".
_DESCRIBES_A_NAME = _words(
    "schwer", "kompliziert", "lang", "kurz", "einfach", "komisch", "ungewöhnlich", "selten", "falsch", "richtig",
    "anders", "derselbe", "gleich", "geändert", "nicht", "nich", "leider", "auch", "polnisch", "türkisch", "arabisch",
)  # fmt: skip
_NAME_AFTER_INTRO = _compile(
    rf"(?<![\w-]){_STRONG_NAME_INTRO}[ ]*(?:(?:äh|ähm|öh|öhm|ehm|hm|ja|also)[ ,]+){{0,2}}{_TITLE}"
    rf"(?:(?:frau|herrn?|fr\.|hr\.)[ ]*)?"
    rf"(?!{_DESCRIBES_A_NAME}(?![\w])|(?:fr|hr|fam)\.){_NAME_VALUE_AFTER_INTRO}"
)
_GREETING = r"(?:hallo|moin|servus|guten[ ]+tag|guten[ ]+morgen|guten[ ]+abend|tag|tach|ja|äh|ähm)"
_FORM_OF_ADDRESS = _compile(
    r"(?:frau|herrn?|familie|eheleute|ehepaar|geschwister|fr\.|hr\.|fam\.|c/o|hd\.|händen|gez\.)[ ]|(?:dr|prof)\."
)
# Forms of address and the address lines of letters and notes: "Eheleute Kranz", "c/o Berger", "z. Hd. Frau
# Lutz", "zu Händen von Herrn Saric", "gez. Pohl".
# Roles said after "Frau"/"Herr" instead of a name: "die frau kollegin", "herr sachbearbeiter".
_ROLE_NOUNS = _words(
    "kollegin", "kollege", "kollegen", "sachbearbeiterin", "sachbearbeiter", "mitarbeiterin", "mitarbeiter",
    "beamtin", "beamter", "chefin", "chef", "nachbarin", "nachbar", "vermieterin", "vermieter", "lehrerin",
    "lehrer", "bürgermeisterin", "bürgermeister", "oberbürgermeisterin", "oberbürgermeister", "pfarrerin",
    "pfarrer", "anwältin", "anwalt", "rechtsanwältin", "rechtsanwalt", "direktorin", "direktor", "vorsitzende",
    "vorsitzender", "standesbeamtin", "standesbeamter", "kommissarin", "kommissar", "mama", "papa", "mutter",
    "hausmeister", "hausmeisterin", "hauswart", "postbote", "postbotin", "paketbote", "paketbotin", "verwalter",
    "verwalterin", "hausverwalter", "hausverwalterin", "handwerker", "monteur", "techniker", "pfleger", "pflegerin",
)  # fmt: skip
_NAME_AFTER_ADDRESS = _compile(
    rf"(?<![\w-]){_NOT_AFTER_POSSESSIVE}(?:(?:frau|herrn?|familie|eheleute|ehepaar|geschwister)[ ]+"
    rf"|(?:fr|hr|fam|dr|prof)\.[ ]*|(?:c/o|z\.[ ]?hd\.|zu[ ]+händen(?:[ ]+von)?|gez\.)[ ]*(?:(?:frau|herrn?)[ ]+)?)"
    rf"(?!{_ROLE_NOUNS}(?![\w])){_NAME_VALUE}"
)
_LEAD_IN = rf"(?:{_GREETING}|also|so|genau|okay|ok|nee|und)"
# Interjections that open a sentence ("boah, hier liegt müll") and "hier" followed by where it is ("… hier im
# park") are no introduction.
_INTERJECTIONS = _words(
    "boah", "boa", "mensch", "oh", "ach", "na", "tja", "ey", "hey", "puh", "oje", "hömma", "guck", "schau", "echt",
    "mann", "meine", "gott", "jetzt", "jetz", "auch", "nur", "da", "dort", "ganz", "immer", "schon", "wieder",
)  # fmt: skip
_NAME_BEFORE_HIER = _compile(
    rf"(?:^|(?<=[.!?,])[ ]*|(?<![\w-]){_LEAD_IN}[ ,]+)(?!{_INTERJECTIONS}(?![\w]))(?P<value>{_NAME_WORD})"
    rf"(?:,[ ]*(?P=value))?[ ,]+(?:hier(?![ ]+(?:im|in|am|an|auf|bei|vor|hinter|um|unten|oben|drüben|gibt|liegt|steht"
    rf"|ist|is|sind|wohnt|parkt)(?![\w]))|mein[ ]+(?:vor|nach)?name|am[ ]+(?:apparat|telefon))(?![\w])"
)
# "kowalski ist mein name", "weber heiß ich": the cue after the name is strong enough anywhere.
_NAME_BEFORE_IS_MY_NAME = _compile(
    rf"(?<![\w-])(?P<value>{_NAME_WORD}(?:[ ]+{_NAME_WORD})?)[ ,]+"
    rf"(?:(?:ist|is|wär|wäre)[ ]+(?:mein|der)[ ]+(?:vor|nach|familien)?name|hei(?:ß|ss)e?[ ]+ich)(?![\w])"
)
# The trigger of that rule: its cue itself ("ist mein name", not any "mein name").
_IS_MY_NAME = _compile(r"(?:ist|is|wär|wäre)[ ]+(?:mein|der)[ ]+(?:vor|nach|familien)?name|hei(?:ß|ss)e?[ ]+ich")
_ICH_BIN = _compile(
    rf"(?<![\w-])(?:i(?:s)?ch[ ]+bin|hier[ ]+ist?)[ ]+(?:der|die)[ ]+(?!{_ROLE_NOUNS}(?![\w]))"
    rf"(?P<value>{_NAME_WORD}(?:[ ]+{_LETTER}\.)?"
    rf"(?:,[ ]*{_NAME_WORD}(?:[ ]+{_NAME_WORD})?)?)(?=[ ]*[,.]|[ ]+und(?![\w]))"
)
# Words that stand alone between commas after a greeting but are no name ("hallo, entschuldigung, ...").
_NO_NAME_AFTER_GREETING = _words(
    "entschuldigung", "entschuldigen", "verzeihung", "sorry", "moment", "momentchen", "sekunde", "zusammen",
    "leute", "schön", "schönen", "gott", "servus", "grüß", "grüße", "liebe", "lieber", "kollege", "kollegin",
    "nochmal", "wieder", "erstmal", "einmal", "kurze", "schnell", "stadtverwaltung", "rathaus", "bürgerbüro",
    "allerseits", "miteinander", "nochmals", "auch", "ihnen", "dir", "euch",
    "bürgeramt", "callcenter", "service", "zentrale", "telefonzentrale", "hotline",
    # an animal is a concern ("moin, hund entlaufen, …")
    "hund", "hunde", "katze", "katzen", "kater", "ratte", "ratten", "taube", "tauben", "wespen", "fuchs", "waschbär",
)  # fmt: skip
_OPENING_GREETING = (
    r"(?:hallo|moin|servus|tach|tag|hi|hey|(?:schönen[ ]+)?guten[ ]+(?:tag|morgen|abend)"
    r"|grü(?:ß|ss)[ ]+(?:gott|sie|dich))"
)
# The concern named where a name could stand ("hallo, sperrmüll, wie meld ich den an"): service words end so.
_CONCERN_WORD = (
    r"[\w-]*(?:steuer|müll|geld|wahl|schein|ausweis|pass|antrag|zeugnis|urkunde|gebühren?|tonne|termin|karte"
    r"|bescheid|erlaubnis|ung|hilfe|amt|büro|platz|schule|frage|problem|beschwerde|parken|kosten|abfuhr|zeichen|nummer"
    r"|schild|wort|name|namen)(?![\w-])"
)
# Also without commas, as speech recognition writes it, when "ich", "hier" or "wegen" follows: "hallo
# nettelbeck ich ruf an wegen ...".
_NAME_AFTER_GREETING = _compile(
    rf"^[ ]*(?:{_LEAD_IN}[ ,]+){{0,3}}{_OPENING_GREETING}(?:[ ]+auch)?(?:[ ]*,[ ]*|[ ]+)"
    rf"(?!{_NO_NAME_AFTER_GREETING}{_END}|{_CONCERN_WORD}|[\w-]*{_PUBLIC_PLACE.pattern})"
    rf"(?P<value>{_NAME_WORD}(?:[ ]+{_NAME_WORD})?)"
    rf"(?=[ ]*,|[ ]+(?:ich|hier|wegen|mein[ ]+name|am[ ]+apparat)(?![\w]))"
)
# Interjections said twice ("moment, moment") are no names.
_SAID_TWICE_NOT_A_NAME = _words(
    "moment", "genau", "gut", "okay", "klar", "richtig", "danke", "bitte", "nee", "stimmt", "sekunde", "warte",
    "warten", "ach", "oh", "na", "super", "prima", "toll", "schön", "jaja", "sorry", "hallo", "halt", "stopp",
    "langsam", "schnell", "nein", "doch", "tja", "naja", "ok",
)  # fmt: skip
_NAME_AT_START = _compile(
    rf"^[ ]*(?!{_SAID_TWICE_NOT_A_NAME}{_END}|{_CONCERN_WORD})(?P<value>{_NAME_WORD})"
    rf"(?:[ ]*,[ ]*(?P=value)(?![\w])|[ ,]+(?={_OPENING_GREETING}(?![\w])))"
)
# A word said twice or with a spelling hint: "lamers, lamers mit einem m", "bartels mit ts am ende",
# "kemper, kemper mit e". Interjections said twice ("moment, moment") are no names.
_SPELLING_HINT_PLACE = r"(?:[ ]+(?:am[ ]+(?:ende|anfang|schluss)|hinten|vorne|vorn))?"
# A single letter or a spelled sound after "mit" is a spelling hint before the end or a function word ("klein
# mit k der …"; not before a noun, "mit e kennzeichen", nor "n", which is "ein": "mit n auto"); a longer group
# of letters only before the end or a few words.
_SPELLING_HINT = (
    r"mit[ ]+(?:(?:einem|einer|zwei|drei|doppel(?:-|[ ])?)[ ]*)?"
    rf"(?:(?:[a-mo-zäöüß](?:[ ][a-zäöüß])?|ck|tz|ph|th|dt|ss|ie|ei|ai|ey|ay|ae|oe|ue){_SPELLING_HINT_PLACE}"
    rf"(?=[ ]*(?:$|[,.;!?])|[ ]+{_FUNCTION_WORDS}{_END})"
    rf"|[a-zäöüß]{{1,3}}{_SPELLING_HINT_PLACE}"
    r"(?=[ ]*(?:$|[,.;!?])|[ ]+(?:und|wegen|ich|geschrieben)(?![\w])))"
)
_NAME_SAID_TWICE = _compile(
    rf"(?<![\w-])(?=[\w'’-]+(?:[ ]*,|[ ]+mit[ ]))"  # cheap: a comma or "mit" must follow the word
    rf"(?!{_SAID_TWICE_NOT_A_NAME}{_END}|{_CONCERN_WORD})(?P<value>{_NAME_WORD})"
    rf"(?:[ ]*,[ ]*(?P=value)(?![\w])(?=[ ]*(?:,|$|[.!?])|[ ]+(?:hier|mit|wie)(?![\w]))|[ ]+(?={_SPELLING_HINT}))"
)
# A surname after a name already found and a hesitation: "mein name ist [NAME] ähm wagner und ...".
_NAME_AFTER_HESITATION = _compile(
    rf"\[NAME\][ ,]+(?:äh|ähm|öh|öhm|ehm|hm)[ ,]+(?P<value>{_NAME_WORD})"
    rf"(?=[ ]*(?:$|[,.!?;:])|[ ]+(?:und|ich|hier|wegen|mit)(?![\w]))"
)
# "anruf von brockmann", "die tochter von ostendorf": after a word that is about a person, "von" and a word.
_ABOUT_A_PERSON = _words(
    "anruf", "rückruf", "vollmacht", "namen", "tochter", "sohn", "mutter", "vater", "frau", "mann", "oma", "opa",
    "enkel", "enkelin", "bruder", "schwester", "witwe", "witwer", "betreuer", "betreuerin", "nachbar", "nachbarin",
    "papa", "mama", "vati", "mutti", "ehemann", "ehefrau", "schwager", "schwägerin", "neffe", "nichte", "onkel",
    "tante", "cousin", "cousine", "schwiegersohn", "schwiegertochter", "mitbewohner", "mitbewohnerin", "untermieter",
    "untermieterin", "lebensgefährte", "lebensgefährtin", "stiefsohn", "stieftochter", "stiefvater", "stiefmutter",
    "pflegekind", "patenkind", "enkelkind", "schwiegervater", "schwiegermutter", "ex-mann", "ex-frau",
    "tagesmutter", "tagesvater", "erzieherin", "erzieher", "lehrerin", "lehrer", "klassenlehrerin", "klassenlehrer",
    "vormund", "pate", "patin", "babysitter", "freundin", "freund", "kollegin", "kollege", "pflegerin", "pfleger",
)  # fmt: skip
_NOT_A_PERSON_AFTER_VON = _words(
    "gegenüber", "oben", "unten", "drüben", "nebenan", "links", "rechts", "damals", "früher", "zwillingen",
    "drillingen", "beruf", "amts", "hier", "dort", "außerhalb", "auswärts", "zuhause", "zwei", "drei", "vier",
    "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf", *_POSSESSIVES,
)  # fmt: skip
_NAME_AFTER_PERSON_VON = _compile(
    rf"(?<![\w-]){_ABOUT_A_PERSON}[ ]+von[ ]+"
    rf"(?!(?:{_NOT_A_PERSON_AFTER_VON}|{_SPOKEN_1_TO_99}|{_SPOKEN_HUNDREDS}){_END})"
    rf"(?P<value>{_NAME_WORD}(?:[ ]+(?!{_NOT_A_PERSON_AFTER_VON}{_END}){_NAME_WORD})?)"
    rf"(?=[ ]*(?:$|[,.!?;:()])|[ ]+(?:{_FUNCTION_WORDS})(?![\w]))"
)
_RELATIVE = _words(
    "mann", "frau", "sohn", "tochter", "vater", "mutter", "schwiegervater", "schwiegermutter", "oma", "opa",
    "bruder", "schwester", "nachbar", "nachbarin", "kind", "enkel", "enkelin", "onkel", "tante", "partner",
    "partnerin", "lebensgefährte", "lebensgefährtin", "papa", "mama", "vati", "mutti", "ehemann", "ehefrau",
    "schwager", "schwägerin", "neffe", "nichte", "cousin", "cousine", "schwiegersohn", "schwiegertochter",
    "ex-mann", "ex-frau",
)  # fmt: skip
_NAME_AFTER_RELATIVE = _compile(
    rf"(?<![\w-]){_RELATIVE}(?:[ ]+(?:der|die|dem|den)[ ]+|[ ]*:[ ]*|[ ]+(?=(?-i:[A-ZÄÖÜ])))"
    rf"(?P<value>{_NAME_WORD}(?:[ ]+(?-i:[A-ZÄÖÜ])[\w-]{{1,40}})?)"
    r"(?=[ ]*[,():]|[ ]+(?:der|die|ist|is|hat|braucht|wird|war)(?![\w]))"
)
# "es geht um meinen sohn, justin-noah hempel", "meine frau, roswitha, ...": a possessive, a relative, a comma
# and one or two words. Words that describe the person ("dement", "schwanger", "pflegebedürftig", numbers)
# are no names.
_DESCRIBING_WORD = (
    rf"(?:{_SPOKEN_1_TO_99}|schwanger|dement|krank|blind|taub|stumm|behindert|alt|jung|allein|verstorben|tot"
    rf"|[\w-]*(?:ig|lich|isch|bar|los|voll|haft|end|iert|ert|et))(?![\w-])"
)
_MY = r"(?:mein|meine|meinen|meinem|meiner|unser|unsere|unseren|unserem|unserer)"
_NAME_AFTER_MY_RELATIVE = _compile(
    rf"(?<![\w-]){_MY}[ ]+{_RELATIVE}[ ]*,[ ]*"
    rf"(?!{_DESCRIBING_WORD}|{_ROLE_NOUNS}(?![\w]))(?P<value>{_NAME_WORD}(?:[ ]+(?!{_DESCRIBING_WORD}){_NAME_WORD})?)"
    rf"(?=[ ]*(?:$|[,.;!?()])|[ ]+{_FUNCTION_WORDS}{_END})"
)
# A name explained by a riddle in a name position: "ich bin der schmied, wie der hufschmied", "mein name is
# wolf wie dat tier", "hier is die bäcker wie beim bäcker".
_NAME_WITH_A_RIDDLE = _compile(
    r"(?<![\w-])(?:i(?:s)?ch[ ]+bin[ ]+(?:der|die)|(?:vor|nach|familien)?name[ ]+(?:ist|is|lautet)"
    r"|hier[ ]+(?:ist|is)(?:[ ]+(?:der|die))?)[ ]+"
    rf"(?!{_DESCRIBING_WORD}|{_CONCERN_WORD}|[\w-]*(?:heit|keit|schaft)(?![\w])|{_ROLE_NOUNS}(?![\w])"
    rf"|{_RELATIVE}(?![\w]))(?P<value>{_NAME_WORD})"
    r"[ ,]+wie[ ]+(?:der|die|das|dat|beim|bei|im|ein|eine|in[ ]+der)[ ]+"
    # a comparison with people or things said before is no riddle: "wie die anderen eltern", "wie die meisten"
    r"(?!(?:andere[nmrs]?|meisten|übrigen|letzte[nmrs]?|erste[nmrs]?|gleiche[nmrs]?|selbe[nmrs]?|vorige[nmrs]?"
    r"|anderen|restlichen|nachbarn|kollegen|eltern|leute)(?![\w]))(?P<riddle>[\w-]+)"
)


def _replace_name_with_a_riddle(match: re.Match[str]) -> str:
    """The name, and the riddle's word too when the name is said inside it ("schmied wie der hufschmied")."""
    name, riddle = match.group("value"), match.group("riddle")
    if any(w.lower() in PLACE_NAMES for w in name.split()):
        return match.group(0)
    _remember_name(name)
    base, text = match.start(), match.group(0)
    if name.lower() in riddle.lower() and name.lower() != riddle.lower():
        text = text[: match.start("riddle") - base] + NAME + text[match.end("riddle") - base :]
    return text[: match.start("value") - base] + NAME + text[match.end("value") - base :]


# The name on a doorbell or a letterbox: "bei möllenbeck aufm klingelschild", "am briefkasten steht kühn".
_DOORBELL = r"(?:klingel(?:schild)?|türschild|briefkasten|postkasten|namensschild|klingelbrett)"
_NAME_ON_DOORBELL = _compile(
    rf"(?<![\w-])(?:bei|von)[ ]+(?P<value>{_NAME_WORD}(?:[ ]+{_NAME_WORD})?)[ ,]+"
    rf"(?:auf(?:m|[ ]+dem)|an(?:[ ]+der|[ ]+dem|m)|am|im)[ ]+{_DOORBELL}(?![\w])"
)
_NAME_AFTER_DOORBELL = _compile(
    rf"(?<![\w-]){_DOORBELL}[ ]+(?:steht|stand|stehen|standen)[ ]+(?:(?:noch|nur|jetzt|jetz|immer|da|drauf)[ ]+){{0,2}}"
    rf"(?P<value>{_NAME_WORD}(?:[ ]+{_NAME_WORD})?)(?=[ ]*(?:$|[,.;!?])|[ ]+{_FUNCTION_WORDS}{_END})"
)
# With an article after the comma: "meine frau, die gülsen, und ich …". A relative clause ("meine mutter, die
# arbeitet, …") has a verb there: a word ending in "-t" counts only when it is a listed first name.
_NAME_AFTER_MY_RELATIVE_AND_ARTICLE = _compile(
    rf"(?<![\w-]){_MY}[ ]+{_RELATIVE}[ ]*,[ ]*(?:der|die|den)[ ]+"
    rf"(?!{_DESCRIBING_WORD}|{_ROLE_NOUNS}(?![\w]))(?P<value>{_NAME_WORD}(?:[ ]+(?!{_DESCRIBING_WORD}){_NAME_WORD})?)"
    rf"(?=[ ]*,)"
)


def _replace_name_after_relative_and_article(match: re.Match[str]) -> str:
    words = match.group("value").lower().split()
    if any(w.endswith("t") and w not in gazetteer_first_names(apply_exclusions=False) for w in words):
        return match.group(0)
    return _replace_place_checked_name(match)


# Without a comma, as speech recognition writes it, when a verb follows: "mein sohn jayden braucht ...".
_ADVERBS = _words(
    "gestern", "heute", "morgen", "jetzt", "selbst", "leider", "noch", "schon", "dann", "nun", "immer", "nie",
    "oft", "bald", "eben", "gerade", "damals", "neulich", "letztens", "zuerst", "trotzdem", "nämlich", "halt",
    "vollzeit", "teilzeit", "halbtags", "ganztags", "nachts", "tagsüber", "morgens", "abends", "mittags", "wieder",
    "auch", "kaum", "viel", "wenig", "zuhause", "daheim", "allein", "alleine", "auswärts", "schichtdienst", "wirklich",
    "eigentlich", "sowieso", "bestimmt", "vielleicht", "momentan", "aktuell", "derzeit", "zurzeit", "demnächst",
    "nächste", "nächsten", "nächstes", "letzte", "letzten", "letztes", "diese", "diesen", "dieses", "jede", "jeden",
    "jedes", "kommende", "kommenden", "übernächste", "übernächsten",
)  # fmt: skip
_NAME_BEFORE_VERB_AFTER_MY_RELATIVE = _compile(
    rf"(?<![\w-]){_MY}[ ]+{_RELATIVE}[ ]+(?!{_DESCRIBING_WORD}|{_ROLE_NOUNS}(?![\w])|{_ADVERBS}(?![\w]))"
    rf"(?P<value>{_NAME_WORD}(?:[ ]+(?!{_DESCRIBING_WORD}|{_ADVERBS}(?![\w])){_NAME_WORD})?)"
    rf"(?=[ ]+(?:braucht|hat|hatte|ist|is|will|wollte|kann|konnte|muss|musste|war|wird|wohnt|kommt|geht|möchte"
    rf"|soll|darf|kriegt|bekommt|lebt|arbeitet|heiratet|zieht|fährt|und[ ]+(?:ich|wir)|wir|ich)(?![\w]))"
)
# A second name joined to one found: "die mama von [NAME] und noah, die brauchen ...".
_NAME_AND_NAME = _compile(
    rf"\[NAME\][ ]+und[ ]+(?!{_CONCERN_WORD}|{_DESCRIBING_WORD}|{_ROLE_NOUNS}(?![\w]))(?P<value>{_NAME_WORD})"
    rf"(?=[ ]*(?:$|[,.;!?])|[ ]+(?:die|sind|haben|brauchen|wollen|wohnen|kommen|gehen|müssen|\[NAME\])(?![\w]))"
)
# A first name joined by "und" to a name found, after a comma or an article: "die zwillinge, lene und [NAME]".
_NAME_BEFORE_AND_NAME = _compile(
    rf"(?:(?<=,)|(?<=,[ ])|(?<=\bdie[ ])|(?<=\bder[ ])|(?<=\bvon[ ])|(?<=\bmit[ ]))"
    rf"(?!{_CONCERN_WORD}|{_DESCRIBING_WORD}|{_ROLE_NOUNS}(?![\w]))(?P<value>{_NAME_WORD})[ ]+und[ ]+(?=\[NAME\])"
)
# A surname said before and after the first name: "mein name is weiß, sandra weiß" (even an ordinary word).
_NOT_A_NAME_AROUND_A_NAME = _words(
    "und", "oder", "die", "der", "das", "den", "dem", "ja", "nee", "nein", "also", "äh", "ähm", "mit", "von", "bei",
    "an", "am", "in", "im", "so", "wie", "is", "ist", "hier", "frau", "herr", "herrn", "genau", "bitte", "danke",
)  # fmt: skip
_NAME_AROUND_A_NAME = _compile(
    rf"(?<![\w-])(?!{_NOT_A_NAME_AROUND_A_NAME}(?![\w]))(?P<value>{_LETTER}[\w'-]{{2,40}})"
    rf"(?P<between>[ ,]+\[NAME\][ ,]+)(?P=value)(?![\w-])"
)


# "ich mein" is a verb ("I mean"), so a form of address after it counts: "nee ich mein herr bäcker aus der elf".
_NAME_AFTER_ICH_MEIN = _compile(
    rf"(?<![\w-])ich[ ]+meine?[ ]+(?:frau|herrn?)[ ]+(?!{_ROLE_NOUNS}(?![\w]))(?P<value>{_NAME_WORD})"
)
# Two or three initials with dots before a word are a name anywhere: "an h. u. g. pöppelmann" (not "z. b.",
# "d. h.", "u. a." and the other abbreviations of two letters).
_INITIALS_AND_NAME = _compile(rf"(?<![\w.])(?P<initials>(?:[a-zäöü]\.[ ]?){{2,3}})(?P<value>{_NAME_WORD})")
_ABBREVIATIONS = frozenset(("zb", "dh", "ua", "oä", "so", "uu", "idr", "va", "zt", "usw", "ia", "ug", "ev", "iv", "ca"))


def _replace_initials_and_name(match: re.Match[str]) -> str:
    initials = re.sub(r"[. ]", "", match.group("initials").lower())
    if initials in _ABBREVIATIONS or any(initials[:i] in _ABBREVIATIONS for i in (2, 3)):
        return match.group(0)
    return _replace_place_checked_name(match)


# A first name between the surname and the surname said again: "ich bin frau [NAME], tigist [NAME]".
_FIRST_NAME_BEFORE_REPEATED_SURNAME = _compile(
    rf"(?<=\[NAME\])[ ]*,[ ]*(?!{_CONCERN_WORD}|{_ROLE_NOUNS}(?![\w]))(?P<value>{_NAME_WORD})[ ]+(?=\[NAME\])"
)
# A first name after the surname and a comma, as in a list or a form: "hier spricht [NAME], ewa, ich ruf …".
_FIRST_NAME_AFTER_SURNAME = _compile(
    rf"\[NAME\][ ]*,[ ]*(?P<value>{_NAME_WORD})(?=[ ]*(?:$|[,.;!?])|[ ]+(?:und|ich|wir|hier|wegen)(?![\w]))"
)


def _replace_first_name_after_surname(match: re.Match[str]) -> str:
    if match.group("value").lower() not in gazetteer_first_names(apply_exclusions=False):
        return match.group(0)
    return _replace_place_checked_name(match)


def _replace_name_around_a_name(match: re.Match[str]) -> str:
    _remember_name(match.group("value"))
    return NAME + match.group("between") + NAME


# "scharfes s" is one spelled letter: "w e i scharfes s" (weiß).
_SHARP_S = r"scharfes[ ]s"
_SPELLED_LETTERS = _compile(
    rf"(?<![\w])(?:(?:{_SHARP_S}|{_LETTER})[ ,]+){{2,}}(?:{_SHARP_S}|{_LETTER}[ ,]+{_LETTER})(?![\w])"
)
_SPELLED_HINT = _compile(rf"(?<![\w]){_LETTER}[ ,]+{_LETTER}[ ,]+(?:{_LETTER}|{_SHARP_S})(?![\w])")
_HIER_IST = _compile(r"hier[ ]")
# After a bare "hier" (no "ist", "der", "die") the name ends the phrase ("hier müller, ich …", "hier müller
# wegen …"); "hier bellt jeden abend ein hund" is a sentence about the place.
_AFTER_BARE_HIER_NAME = r"(?=[ ]*(?:$|[,.!?;:])|[ ]+(?:ich|wegen|mit|aus|von|und|guten|hallo|ähm?|nochmal)(?![\w]))"
_NOT_AFTER_HIER = (
    rf"(?!(?:spricht|praxis|firma|kanzlei|{_RELATIVE}|{_ROLE_NOUNS})(?![\w])|[\w]*{_PUBLIC_PLACE.pattern})"
)
_NAME_AFTER_HIER_IST = _compile(
    rf"(?:^|(?<=[.!?])|(?<![\w-]){_GREETING}[ ,]+)[ ]*hier(?:[ ]+ist?(?:[ ]+(?:der|die|bei))?|[ ]+(?:der|die|bei))[ ]+"
    rf"{_NOT_AFTER_HIER}{_NAME_VALUE_THREE_WORDS}(?=[ ]*(?:$|[,.!?;:])|[ ]+{_FUNCTION_WORDS}{_END})"
)
_NAME_AFTER_BARE_HIER = _compile(
    rf"(?:^|(?<=[.!?])|(?<![\w-]){_GREETING}[ ,]+)[ ]*hier[ ]+{_NOT_AFTER_HIER}{_NAME_VALUE}{_AFTER_BARE_HIER_NAME}"
)
_AM_APPARAT = _compile(r"[ ]am[ ]+(?:apparat|telefon)")
# "…, kurt breilmann mein name.": the name before "mein name" at the end of a sentence.
_NAME_BEFORE_MY_NAME_AT_END = _compile(
    rf"(?<![\w-])(?P<value>{_NAME_WORD}(?:[ ]+{_NAME_WORD})?)[ ]+mein[ ]+(?:vor|nach|familien)?name"
    rf"(?=[ ]*(?:$|[.,;!?]))"
)
# A name spelled with hyphens: "J-O-V-A-N-O-V-I-Ć", "W-E-B-E-R" (three letters or more, no digit).
_HYPHEN_SPELLED_NAME = _compile(rf"(?<![\w-])(?P<value>{_LETTER}(?:[–-]{_LETTER}){{2,}})(?![\w-])")
# "ja ich bin lukasz und ich …", "also ich bin nhung, …": at the start of the utterance, after "ich bin", a word
# in no list and none of the words that describe the caller (occupations and states end in "-er", "-in",
# "-ent", "-ig", "-los", …; listed first names are found by the gazetteer in this position anyway).
_NOT_A_NAME_AFTER_ICH_BIN = _words(
    "neu", "froh", "dran", "raus", "weg", "schuld", "single", "frei", "fit", "pleite", "sauer", "allein", "zuhause",
    "da", "hier", "dabei", "fertig", "azubi", "rentnerin", "hausfrau", "hausmann", "mama", "papa", "oma", "opa",
    "deutsch", "gesund", "verheiratet", "geschieden", "ledig", "arbeitslos", "krank", "schwanger", "blind", "taub",
    "gehbehindert", "student", "studentin", "selbstständig", "selbständig", "nicht", "nich", "grad", "gerade",
    "eben", "echt", "total", "sehr", "ganz", "auch", "nur", "noch", "schon", "mal", "wieder", "heute", "jetzt", "jetz",
    "morgen", "ok", "okay", "unsicher", "sicher", "dafür", "dagegen", "zufrieden", "umgezogen", "betroffen",
)  # fmt: skip
_NAME_AFTER_ICH_BIN_AT_START = _compile(
    rf"^[ ]*(?:{_LEAD_IN}[ ,]+){{0,3}}i(?:s)?ch[ ]+bin[ ]+"
    rf"(?!{_NOT_A_NAME_AFTER_ICH_BIN}{_END}|{_DESCRIBING_WORD}|{_ROLE_NOUNS}{_END}|{_ADVERBS}{_END}"
    rf"|[\w-]*(?:er|in|en|ent|ant|ist|e|t|ig|lich|isch|end|los|bar|haft|är)(?![\w-]))"
    rf"(?P<value>{_NAME_WORD})"
    rf"(?=[ ]*,|[ ]+und[ ]+(?:ich|mein\w*|unser\w*|wir|hab|habe|brauch\w*|wollt\w*|will|möcht\w*|ruf\w*)(?![\w]))"
)
_NAME_BEFORE_AM_APPARAT = _compile(
    rf"(?<![\w-])(?P<value>{_NAME_WORD}(?:[ ]+{_NAME_WORD})?)[ ]+am[ ]+(?:apparat|telefon){_END}"
)

# ---- spoken numbers after a keyword ------------------------------------------------------------------
"""Numbers read out word by word after the word that names them, a few words later: "meine nummer
fängt mit null eins sieben null an", "vorgangsnummer zwo null zwo fünf strich null null vier",
"kennzeichen du wie duisburg, anton zeppelin, null null sieben", "iban de siebenunddreißig fünfzig ...",
"geburtsdatum null drei null sieben achtzig". Letter names and the spelling alphabet count as part of
the number; at least two digits must be in it.
"""
_SPELLING_ALPHABET = _words(
    "anton", "berta", "cäsar", "dora", "emil", "friedrich", "gustav", "heinrich", "ida", "julius", "kaufmann",
    "ludwig", "martha", "nordpol", "otto", "paula", "quelle", "richard", "samuel", "siegfried", "theodor",
    "ulrich", "viktor", "wilhelm", "xanthippe", "ypsilon", "zacharias", "zeppelin", "ärger", "ökonom", "übermut",
)  # fmt: skip
# The international (NATO/ICAO) spelling alphabet: "delta uniform bindestrich kilo charlie vier zwei zwei".
_NATO_LETTERS = {
    "alpha": "a", "alfa": "a", "bravo": "b", "charlie": "c", "delta": "d", "echo": "e", "foxtrot": "f",
    "golf": "g", "hotel": "h", "india": "i", "juliett": "j", "juliet": "j", "kilo": "k", "lima": "l", "mike": "m",
    "november": "n", "oscar": "o", "papa": "p", "quebec": "q", "romeo": "r", "sierra": "s", "tango": "t",
    "uniform": "u", "victor": "v", "whiskey": "w", "whisky": "w", "xray": "x", "x-ray": "x", "yankee": "y",
    "zulu": "z",
}  # fmt: skip
# The German spelling alphabet of DIN 5009 (2022) spells with cities: "köln, otto, chemnitz, hamburg" (Koch).
_CITY_LETTERS = {
    "aachen": "a", "berlin": "b", "chemnitz": "c", "düsseldorf": "d", "essen": "e", "frankfurt": "f",
    "goslar": "g", "hamburg": "h", "ingelheim": "i", "jena": "j", "köln": "k", "leipzig": "l", "münchen": "m",
    "nürnberg": "n", "offenbach": "o", "potsdam": "p", "quickborn": "q", "rostock": "r", "salzwedel": "s",
    "tübingen": "t", "unna": "u", "völklingen": "v", "wuppertal": "w", "xanten": "x", "zwickau": "z",
}  # fmt: skip
_NATO_WORD = _words(*_NATO_LETTERS)
_CITY_WORD = _words(*_CITY_LETTERS)
# Letters read by their German names: "ka" k, "el" l, "zett" z, "iks" x.
_LETTER_NAMES = {
    "be": "b", "ce": "c", "de": "d", "ef": "f", "ge": "g", "ha": "h", "jot": "j", "ka": "k", "el": "l", "em": "m",
    "en": "n", "pe": "p", "kuh": "q", "er": "r", "es": "s", "te": "t", "vau": "v", "we": "w", "iks": "x", "ix": "x",
    "zet": "z", "zett": "z", "ypsilon": "y", "eszett": "ß",
}  # fmt: skip
# "er" and "ge" are ordinary words or syllables too; they count only inside "x wie ..." spelling and codes.
_LETTER_NAME = _words(*(n for n in _LETTER_NAMES if n not in ("er", "ce", "ge", "kuh", "eszett", "ypsilon")))
# Words of the German spelling alphabets (DIN 5009, the traditional names and the 2022 city names) and the
# letter each one stands for; "sch" and "ch" are single spelled sounds.
_SPELLING_WORD_LETTERS = {
    "anton": "a", "ärger": "ä", "berta": "b", "cäsar": "c", "charlotte": "ch", "dora": "d", "emil": "e",
    "friedrich": "f", "gustav": "g", "heinrich": "h", "ida": "i", "julius": "j", "kaufmann": "k", "konrad": "k",
    "ludwig": "l", "martha": "m", "nordpol": "n", "otto": "o", "ökonom": "ö", "paula": "p", "quelle": "q",
    "richard": "r", "samuel": "s", "siegfried": "s", "schule": "sch", "theodor": "t", "ulrich": "u",
    "übermut": "ü", "viktor": "v", "wilhelm": "w", "xanthippe": "x", "ypsilon": "y", "zacharias": "z",
    "zeppelin": "z", **_NATO_LETTERS, **_CITY_LETTERS,
}  # fmt: skip


def spelled_out(value: str) -> str:
    """The letters a spelled run stands for: "k wie kaufmann, o, c, h" -> "koch", "em e i e er" -> "meier".

    "x wie word" and single letters give their letter, words of the spelling alphabet their first letter,
    letter names ("ka", "zett") theirs; anything else (digits, "bindestrich") is left out.
    """
    letters: list[str] = []
    for token in _spelled_words(re.sub(r"scharfes[ ]s(?![\w])", "ß", value.lower())):
        if " wie " in token:
            letters.append(token.split(" ", 1)[0])
        elif _SINGLE_LETTER.fullmatch(token):
            letters.append(token)
        elif token in _SPELLING_WORD_LETTERS:
            letters.append(_SPELLING_WORD_LETTERS[token])
        elif token in _LETTER_NAMES:
            letters.append(_LETTER_NAMES[token])
    return "".join(letters)


_SPOKEN_THOUSANDS = rf"(?:{_UNIT_NUMBER}|zwo)?tausend(?:und)?(?:{_SPOKEN_HUNDREDS}|{_SPOKEN_1_TO_99}|zwo)?"
_NUMBER_TOKEN = (
    rf"(?:{_SPOKEN_HUNDREDS}|{_SPOKEN_1_TO_99}|null|zwo|[0-9]{{1,6}}|{_SPELLING_ALPHABET}|{_NATO_WORD}|{_LETTER_NAME}"
    rf"|[a-zäöü]{{1,3}}[ ]wie[ ]\w{{2,20}}|[a-zäöü]|strich|punkt|schrägstrich|bindestrich|slash"
    rf"|{_SPOKEN_THOUSANDS})(?![\w])"
)
_NUMBER_KEYWORD = (
    r"(?:nummer|nr\.?|telefon|handy|festnetz|zeichen|kennzeichen|nummernschild|iban|geburtsdatum|vorgang|ticket"
    r"|referenz|kennung|code)"
    r"\w{0,10}"
)
_SPOKEN_NUMBER_AFTER_KEYWORD = _compile(
    rf"{_NUMBER_KEYWORD}(?:[ ,:]+(?!{_NUMBER_TOKEN})\w{{1,30}}){{0,6}}?[ ,:]+"
    rf"(?![0-9]+,[0-9]{{2}}[ ]?(?:euro|eur|€))"  # a price: "wunschkennzeichens, 12,80 euro"
    rf"(?P<value>{_NUMBER_TOKEN}(?:[ ,]+(?:(?:und[ ]+)?dann[ ,]+)?{_NUMBER_TOKEN}){{1,30}})"
)
_NUMBER_KEYWORD_HINT = _compile(
    r"nummer|nr|telefon|handy|festnetz|zeichen|schild|iban|geburt|vorgang|ticket|referenz|kennung|code"
)
_DIGIT_TOKEN = _compile(rf"(?:{_SPOKEN_HUNDREDS}|{_SPOKEN_1_TO_99}|null|zwo|[0-9]+)")


_DIGIT_OF_WORD = {
    "null": "0", "eins": "1", "zwei": "2", "zwo": "2", "drei": "3", "vier": "4", "fünf": "5", "fuenf": "5",
    "sechs": "6", "sieben": "7", "acht": "8", "neun": "9",
}  # fmt: skip


def _is_spoken_service_number(tokens: list[str]) -> bool:
    """Digits read one by one that start like a service number ("null acht null null …": 0800) are nobody's."""
    digits = "".join(_DIGIT_OF_WORD.get(t.lower(), t if t.isdigit() else "?") for t in tokens)
    return "?" not in digits and digits.startswith("0") and _SERVICE_NUMBER.match(digits) is not None


_MIN_DIGITS_OF_A_NUMBER = 3
_PLATE_KEYWORD_RE = _compile(r"\w*(?:kennzeichen|nummernschild|schild)")


def _replace_spoken_number(match: re.Match[str]) -> str:
    tokens = [t for t in re.split(r"[ ,]+", match.group("value")) if t]
    digits = sum(_digit_count(t) for t in tokens if _DIGIT_TOKEN.fullmatch(t))
    if digits < 2 or _is_spoken_service_number(tokens):
        return match.group(0)
    # A letter and two digits after "nummer" name a form or a room ("das formular hat die nummer a 12"), not a
    # person; a plate may be that short ("kennzeichen du a zwölf").
    if digits < _MIN_DIGITS_OF_A_NUMBER and not _PLATE_KEYWORD_RE.match(match.group(0)) and len(tokens) <= 2:
        return match.group(0)
    return _replace_value(NUMMER)(match)


_DOUBLED_LETTER = rf"doppel[- ]?(?:{_LETTER_NAME}|[a-z])"  # "doppel-a", "doppel el"
_SPOKEN_PLATE = _compile(
    rf"(?<![\w-]){_REGIONAL_PLATE_CODE}[ ](?:(?:{_DOUBLED_LETTER}|{_LETTER_NAME}|[a-z]{{1,2}})[ ]){{1,2}}"
    rf"(?:{_UNIT_NUMBER}|null|zwo)(?:[ ](?:{_UNIT_NUMBER}|null|zwo)){{1,3}}(?![\w])"
)
# A plate read with its number as one spoken number ("ob ka vierhundertzwölf", "du zett ka achtzehn",
# "bot a b neunhundertneunundneunzig"); middle letters that are short words ("ob es zwanzig") do not count.
_PLATE_LETTER = rf"(?:[a-zäöü][ ]wie[ ]{_LETTER}{{2,20}}|{_DOUBLED_LETTER}|{_LETTER_NAME}|[a-z]{{1,2}})"
_SPOKEN_PLATE_NUMBER = (
    rf"(?:{_SPOKEN_THOUSANDS}|{_SPOKEN_HUNDREDS}|{_SPOKEN_20_TO_99}|{_TEENS_NUMBER})"
    rf"(?:[ ](?:{_SPOKEN_1_TO_99}|null|zwo))?"
    rf"|(?:{_UNIT_NUMBER}|null|zwo)[ ](?:{_SPOKEN_HUNDREDS}|{_SPOKEN_20_TO_99}|{_TEENS_NUMBER})"
)
_SPOKEN_NUMBER_ABOVE_NINE = _compile(r"tausend|hundert|zig|ßig|ssig|zehn|elf|zwölf|zwoelf")
_SPOKEN_PLATE_WITH_NUMBER = _compile(
    rf"(?<![\w-]){_REGIONAL_PLATE_CODE}[ ,]+(?:{_PLATE_LETTER}[ ,]+)?(?!{_SHORT_WORDS}[ ]){_PLATE_LETTER}[ ,]+"
    rf"(?:{_SPOKEN_PLATE_NUMBER})(?![\w]){_NOT_A_QUANTITY}"
)
# Two consonants and one or two digits: "bot kl 88" (no German word is two consonants).
_SHORT_PLATE = _compile(
    rf"(?<![\w-]){_REGIONAL_PLATE_CODE}[ ](?-i:[b-df-hj-np-tv-z]{{2}}|[B-DF-HJ-NP-TV-Z]{{2}})[ ]?[1-9][0-9]?(?![\w])"
    rf"{_NOT_A_QUANTITY}"
)
_SPACED_HYPHEN_PLATE = _compile(
    rf"(?<![\w-]){_REGIONAL_PLATE_CODE}[ ]-[ ](?:[a-z]{{1,2}}|{_LETTER_NAME})(?:[ ]{_LETTER_NAME})?"
    rf"[ ]?[1-9][0-9]{{0,3}}(?![\w])"
)
# A hyphen between the district and the letters, the number spoken: "du-hk siebenhundertneunundneunzig".
_HYPHEN_PLATE_SPOKEN = _compile(
    rf"(?<![\w-]){_REGIONAL_PLATE_CODE}[–-][a-z]{{1,2}}(?:[ ]+|-)(?:{_SPOKEN_PLATE_NUMBER})(?![\w]){_NOT_A_QUANTITY}"
)
# After a word for a vehicle a regional plate may end in anything from one to four digits, a year too: "der
# wagen von meinem vater du ak 2011 steht …".
_VEHICLE = _compile(r"auto|wagen|fahrzeug|pkw|lkw|kfz|motorrad|roller|wohnmobil|anhänger|transporter")
_PLATE_AFTER_VEHICLE = _compile(
    r"(?<![\w-])(?:\w*(?:auto|wagen|fahrzeug|pkw|lkw|kfz|motorrad|roller|wohnmobil|anhänger|transporter)\w*)"
    rf"(?:[ ,]+(?!{_REGIONAL_PLATE_CODE}[ –-])[\w-]+){{0,5}}?[ ,:]+"
    rf"(?P<value>{_REGIONAL_PLATE_CODE}(?:[ ]?[–-][ ]?|[ ])(?!{_SHORT_WORDS}[ ])[a-z]{{1,2}}[ ]?[1-9][0-9]{{0,3}}[eh]?)"
    rf"(?![\w]){_NOT_A_QUANTITY}"
)
# Spoken after a vehicle word, letters and number read out: "mein alter wagen hatte du em eh siebzehn siebzehn".
_SPOKEN_PLATE_AFTER_VEHICLE = _compile(
    r"(?<![\w-])(?:\w*(?:auto|wagen|fahrzeug|pkw|lkw|kfz|motorrad|roller|wohnmobil|anhänger|transporter)\w*)"
    rf"(?:[ ,]+(?!{_REGIONAL_PLATE_CODE}[ –-])[\w-]+){{0,5}}?[ ,:]+"
    rf"(?P<value>{_REGIONAL_PLATE_CODE}[ ,-]+(?:{_PLATE_LETTER}[ ,-]+){{1,2}}"
    rf"(?:{_SPOKEN_PLATE_NUMBER}|(?:{_UNIT_NUMBER}|null|zwo)(?:[ ](?:{_UNIT_NUMBER}|null|zwo)){{0,3}}))"
    rf"(?![\w]){_NOT_A_QUANTITY}"
)
# "mein mann is von neunundfünfzig", "ich bin aus dem jahr 1962": a year told as where a person is "from".
_PERSON_FROM_YEAR = _compile(
    rf"(?<![\w-])(?:bin|is|ist|sind)[ ]+(?:von|aus)[ ]+(?:dem[ ]+jahr(?:gang)?[ ]+)?"
    rf"(?P<value>{_SPOKEN_YEAR}|{_SPOKEN_20_TO_99}(?![\w])|'?[0-9]{{2}}(?![0-9])|{_YEAR4}(?![0-9]))"
    rf"(?=[ ]*(?:$|[,.!?;])|[ ]+(?:und|geboren|jahrgang|also)(?![\w]))"
)
# A thing "is from" a year too: "das haus ist von neunzehnhundertzweiundsechzig", "mein auto is von 2009".
_THING_BEFORE_IS = _compile(r"(?:(?:das|dat|es|ein|mein|dein|sein|ihr|unser)[ ]+(?P<noun>\w+)[ ]+|(?:das|dat|es)[ ]+)$")
_PERSON_NOUN = _compile(rf"{_RELATIVE}|kind|baby|junge|mädchen|vater|sohn")


def _replace_person_from_year(match: re.Match[str]) -> str:
    thing = _THING_BEFORE_IS.search(match.string, max(0, match.start() - 40), match.start())
    if thing and not (thing.group("noun") and _PERSON_NOUN.fullmatch(thing.group("noun"))):
        return match.group(0)
    return _replace_value(GEBURTSDATUM)(match)


# A year in words after a preposition is when something happened or was issued, not a birth year ("seit
# neunzehnhundertsiebenundachtzig wohn ich hier", "die sterbeurkunde von neunzehnhundertachtzig").
_NOT_AFTER_A_TIME_PREPOSITION = "".join(
    rf"(?<!\b{word}[ ])"
    for word in ("seit", "von", "vom", "bis", "ab", "anno", "jahr", "jahre", "im", "um", "vor", "nach", "ende",
                 "anfang", "mitte", "zwischen", "aus", "in", "seid")
)  # fmt: skip
_YEAR_OF_BIRTH_WORDS = _compile(
    rf"(?<![\w]){_NOT_AFTER_A_TIME_PREPOSITION}(?:(?:ein|eine)[ ]{_SPOKEN_20_TO_99}er"
    rf"|neunzehn[ -]?hundert[ -]?(?:und[ -]?)?{_SPOKEN_1_TO_99}"
    rf"|{_SPOKEN_20_TO_99}(?=[ ]geboren))(?![\w])"
)

# ---- exact ages, dates of death, a child's school --------------------------------------------------
"""Personal data that is not a name or a number of a document, but identifies a person next to one.

- **Exact ages** of a person the utterance identifies (a name, a birth date, an address, a phone number,
  an e-mail, an IBAN or an ID or tax number is in it too): "ich bin jetz dreiundachtzig", "der is
  achtundachtzig", "[NAME] ist 92 Jahre alt", "Herr [NAME], 79,", "im alter von 81 jahren", "achtzehn
  geworden", "meine 8-jährige tochter". Always: the age at death ("mit siebenundachtzig verstorben"), a
  note's "Alter: 45" and "(8 J.)". Without an identified person the age is the question's topic and stays
  ("ich bin 67 und will noch arbeiten", "mein sohn is jetz sechzehn geworden, braucht der …"); so do ages
  in rules and ranges ("kinder im alter von drei bis sechs jahren", "ab 18"), quantities ("ich bin zwei
  wochen weg"), a future age ("unser kind wird im sommer sechs") and the age of things ("der kühlschrank
  ist zehn jahre alt"). "wir sind …" counts only from thirteen on: below that it is the size of a
  household ("wir sind fünf").
- **Dates of death**: a day and month (with or without a year), a typed date or an ordinal feast day
  ("am ersten advent") said with "gestorben"/"verstorben" in the same clause, before or after it, in a
  note after "Verstorben:" or after "todestag"/"sterbedatum". Like a birth date, it identifies the person;
  a date of an appointment said after the death in another clause stays ("… ist gestorben, kann ich am
  dritten mai kommen"), and so does a burial's date (an appointment).
- **A child's school or kindergarten and class**: the named school after a verb of attending ("geht auf
  die grundschule am hagelkreuz", "besucht die Grundschule Hiesfeld, Klasse 2c", "is inne kita
  sonnenblume, gruppe mäuse") and a class with its letter ("aus der vier a von der grundschule …"; a
  class alone only next to the child's name).
  A school named as a place to go, to ask about or to register at stays ("wann is die anmeldung an der
  gesamtschule walsum", "wo is die grundschule am hagelkreuz"), like any public place.
"""
# Words that may stand between a date or age and the verb within one clause: not a new clause ("und ich", "weil").
_WEEKDAY = r"(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag)"
_SAME_CLAUSE_WORD = r"(?!(?:und|aber|weil|dass|ich|wir|möchte|will|wollte|kann|könnte|brauch\w*|termin)(?![\w]))"
# A burial ("wird am fünften juni beigesetzt") is an appointment the caller plans, not a date of the person.
_DEATH_VERB = r"(?:ver|ge)storben|verschieden|entschlafen|eingeschlafen|umgekommen"
_AGE_WORD = (
    rf"(?!ein(?:s|e|en|er|em)?(?![\w]))(?:hundert(?:und)?(?:{_SPOKEN_1_TO_99})?|{_SPOKEN_1_TO_99}|zwo|1[01][0-9]"
    rf"|[1-9][0-9]?)(?![\w]|[.,:/-][0-9])"
)
_AGE_FROM_THIRTEEN = (
    rf"(?:hundert(?:und)?(?:{_SPOKEN_1_TO_99})?|{_SPOKEN_20_TO_99}|(?:drei|vier|fünf|fuenf|sech|sieb|acht|neun)zehn"
    rf"|1[3-9]|[2-9][0-9]|1[01][0-9])(?![\w]|[.,:/-][0-9])"
)
# What may follow a number that is no age: units, times ("fünf vor zwölf"), comparisons, more digits.
_NOT_AN_AGE_AFTER = (
    rf"(?![ ]?(?:{_UNIT_WORDS}|vor|nach|zu|bis|oder|komma|grad|zentimeter|kubik\w*|zimmer|teurer|billiger|mehr"
    rf"|weniger|plus|minus|x|mal|uhr|prozent|euro|und[ ]+(?:{_SPOKEN_1_TO_99}|[0-9])|[0-9])(?![\w])|[ ]?[€%])"
)
_AGE_ADVERBS = (
    r"(?:(?:jetz|jetzt|schon|erst|gerade|ja|auch|beide|beid|nun|mittlerweile|inzwischen|nämlich|halt|doch)[ ]+)"
)
_AGE_SUBJECT = (
    r"(?:i(?:s)?ch[ ]+bin|bin[ ]+ich|(?:er|sie|der|die|ich|\[NAME\])[ ]*,?[ ]+(?:is[st]?|war|wurde)"
    r"|is[t]?[ ]+(?:er|sie)"
    r"|(?:und|,)[ ]*(?:is[t]?|bin))"
)
_AGE_PLURAL_SUBJECT = r"(?:(?:wir|die|sie)[ ]+sind|sind[ ]+(?:wir|die|sie))"
_AGE_AFTER_SUBJECT = _compile(
    rf"(?<![\w-])(?:{_AGE_SUBJECT}[ ]+{_AGE_ADVERBS}{{0,2}}(?P<value>{_AGE_WORD})"
    rf"|{_AGE_PLURAL_SUBJECT}[ ]+{_AGE_ADVERBS}{{0,2}}"
    rf"(?P<plural>{_AGE_FROM_THIRTEEN}(?:[ ]+und[ ]+{_AGE_FROM_THIRTEEN})?)){_NOT_AN_AGE_AFTER}"
)
_YEARS_WORD = r"(?:jahre|jahren|jahr|j\.)"
# "vierundneunzig jahre alt", "im alter von 81 jahren", "mit siebenundachtzig verstorben", "achtzehn geworden".
_AGE_AT_DEATH = _compile(
    rf"(?<![\w-])(?:im[ ]+alter[ ]+von|alter[ ]*:|mit)[ ]*(?P<value>{_AGE_WORD}(?:[ ]+{_YEARS_WORD})?)"
    rf"(?=[ ]+(?:\w+[ ]+)?(?:{_DEATH_VERB})(?![\w]))"
    rf"|(?<![\w-])(?:{_DEATH_VERB})(?:[ ]+{_SAME_CLAUSE_WORD}[^\s,.;!?]+){{0,4}}?[ ]+mit[ ]+"
    rf"(?P<after>{_AGE_WORD}(?:[ ]+{_YEARS_WORD})?)(?=[ ]*(?:$|[,.;!?])|[ ]+(?:und|aber)(?![\w]))"
)
# "Alter: 58", "(8 J.)": a note's field about a person, whatever else the utterance holds.
_AGE_STATED = _compile(
    rf"(?<![\w-])alter[ ]*:[ ]*(?P<value>{_AGE_WORD}(?:[ ]+{_YEARS_WORD})?){_NOT_AN_AGE_AFTER}"
    rf"|\((?P<after>[ ]*[0-9]{{1,3}}[ ]*{_YEARS_WORD}[ ]*)\)"
)
# "im alter von 81 jahren": an age when the utterance identifies the person ("kinder im alter von drei bis
# sechs jahren" is a rule, and a range).
_AGE_OF = _compile(
    rf"(?<![\w-])im[ ]+alter[ ]+von[ ]*(?P<value>{_AGE_WORD}(?:[ ]+{_YEARS_WORD}(?![\w]))?)(?![ ]+(?:bis|oder)(?![\w]))"
)
# A number alone between commas right after a name: "Herr [NAME], 79, möchte …".
_AGE_AFTER_NAME = _compile(
    rf"\[NAME\][ ]*,[ ]*(?P<value>{_AGE_WORD}(?:[ ]+{_YEARS_WORD}(?:[ ]+alt)?)?)(?=[ ]*(?:,|$|[.;]))"
)
# "ihren neunzigsten geburtstag", "zum 18. geburtstag": the age of an identified person.
_AGE_BIRTHDAY = _compile(
    rf"(?<![\w-])(?:ihren|seinen|meinen|deinen|unseren|den|zum|am|dem)[ ]+"
    rf"(?P<value>(?:{_SPOKEN_1_TO_99}|hundert)s?te[nmrs]?|[0-9]{{1,3}}\.)[ ]+geburtstag"
)
# "achtzehn geworden", "meine 8-jährige tochter": an age when the utterance identifies the person.
_AGE_TURNED = _compile(
    rf"(?<![\w-])(?P<value>{_AGE_WORD}(?:[ ]+{_YEARS_WORD}(?:[ ]+alt)?)?)[ ]+geworden(?![\w])"
    rf"|(?<![\w-]){_MY}[ ]+(?P<after>(?:[0-9]{{1,3}}-?|{_SPOKEN_1_TO_99})jährige[nrms]?)(?![\w])"
)
# An age to come on a named day, of an identified person: "die [NAME] wird am sonntag hundert" (a birthday and
# an age; "unser kind wird im sommer sechs" stays, nobody being identified).
_AGE_TO_COME = _compile(
    rf"(?<![\w-])(?:wird|werde|werden)[ ]+(?:(?:am|an|diesen|nächsten|nächste|kommenden|übermorgen|morgen|im)[ ]+"
    rf"(?:{_WEEKDAY}|{_MONTH_NAME}|{_DAY}\.[ ]*{_MONTH_NAME}?|{_ORDINAL}(?:[ ]+{_MONTH_NAME})?|woche|monat)[ ]+)"
    rf"(?P<value>{_AGE_WORD})(?=[ ]*(?:$|[,.;!?])|[ ]+(?:und|jahre|jahr)(?![\w]))"
)
_MONTHS_WORD = r"(?:monate|monaten|monat)"
_AGE_YEARS_OLD = _compile(
    rf"(?<![\w-])(?P<value>{_AGE_WORD}[ ]+{_YEARS_WORD}(?:[ ]+und[ ]+{_AGE_WORD}[ ]+{_MONTHS_WORD})?"
    rf"|{_AGE_WORD}[ ]+{_MONTHS_WORD})[ ]+(?:alt|jung)(?![\w])"
)
# A person named or spoken of just before "… jahre alt": a name, a relative, "ich bin", "er/sie is".
_PERSON_BEFORE_AGE = _compile(r"\[NAME\]|(?<![\w])(?:i(?:s)?ch[ ]+bin|bin[ ]+ich)(?![\w])")
_AGE_CONTEXT_WINDOW = 60
_AGE_STATED_HINT = _compile(r"alter|\([ ]*[0-9]")


# Placeholders of what identifies a person: an age is personal data next to one of them.
_IDENTITY_PLACEHOLDER = _compile(r"\[(?:NAME|GEBURTSDATUM|ADRESSE|TELEFON|EMAIL|IBAN|AUSWEISNR|STEUER-ID)\]")


def _names_a_person(match: re.Match[str]) -> bool:
    """An exact age is personal data when the utterance identifies the person (a name, a birth date, …)."""
    return _IDENTITY_PLACEHOLDER.search(match.string) is not None


def _replace_age(match: re.Match[str]) -> str:
    """The group ``value`` or ``after`` (whichever matched) becomes ``[ALTER]``."""
    return _replace_group(match, "value" if match.group("value") is not None else "after", ALTER)


def _replace_age_of_identified(match: re.Match[str]) -> str:
    return _replace_age(match) if _names_a_person(match) else match.group(0)


def _replace_age_after_subject(match: re.Match[str]) -> str:
    """An age after "ich bin …", "der is …", "wir sind …" when the utterance identifies the person too."""
    if not _names_a_person(match):
        return match.group(0)
    return _replace_group(match, "value" if match.group("value") is not None else "plural", ALTER)


def _replace_years_old(match: re.Match[str]) -> str:
    """An age "… jahre alt" after "ich bin" or a name, when the utterance identifies the person."""
    before = match.string[max(0, match.start() - _AGE_CONTEXT_WINDOW) : match.start()]
    if _PERSON_BEFORE_AGE.search(before) is None or not _names_a_person(match):
        return match.group(0)
    return _replace_value(ALTER)(match)


_DAY_AND_MONTH = (
    rf"(?:(?:{_DAY}\.?|{_ORDINAL})[ ]+(?:{_MONTH_NAME}|{_MONTH_ORDINAL}|{_MONTH}\.)(?:[ ,]*{_WRITTEN_YEAR})?"
    rf"|{_DAY}\.{_MONTH}\.(?:(?:19|20)?[0-9]{{2}}(?![0-9]))?|{_FEAST_DAY})"
)
_DATE_OF_DEATH = _compile(
    rf"(?<![\w-])(?:am|an|im)[ ]+(?P<value>{_DAY_AND_MONTH})"
    rf"(?=(?:[ ]+{_SAME_CLAUSE_WORD}[^\s,.;!?]+){{0,4}}?[ ]+(?:{_DEATH_VERB})(?![\w]))"
    rf"|(?<![\w-])(?:{_DEATH_VERB})(?:[ ]+{_SAME_CLAUSE_WORD}[^\s,.;!?]+){{0,3}}?[ ]+(?:am|an|im)[ ]+"
    rf"(?P<after>{_DAY_AND_MONTH})"
    rf"|(?<![\w-])(?:{_DEATH_VERB})[ ]*,[ ]*(?:am|an)[ ]+(?P<appended>{_DAY_AND_MONTH})(?=[ ]*(?:$|[,.;!?]))"
    rf"|(?<![\w-])(?:verstorbene?r?|gestorben|verst\.|gest\.)[ ]*:(?:[ ]*[^,;!?\n]{{1,40}},){{0,3}}[ ]*(?:am[ ]+)?"
    rf"(?P<noted>{_DAY_AND_MONTH})"
    # "am sonntag den dritten … eingeschlafen", "verstorben am dienstag den achtzehnten": a weekday and the day.
    rf"|(?<![\w-])am[ ]+(?P<weekday_before>{_WEEKDAY}[ ,]+(?:den[ ]+)?(?:{_ORDINAL}|{_DAY}\.))"
    rf"(?=(?:[ ]+{_SAME_CLAUSE_WORD}[^\s,.;!?]+){{0,4}}?[ ]+(?:{_DEATH_VERB})(?![\w]))"
    rf"|(?<![\w-])(?:{_DEATH_VERB})(?:[ ]+{_SAME_CLAUSE_WORD}[^\s,.;!?]+){{0,3}}?[ ]+am[ ]+"
    rf"(?P<weekday>{_WEEKDAY}[ ,]+(?:den[ ]+)?(?:{_ORDINAL}|{_DAY}\.))"
    # "bis zu seinem tod am 9. juli"
    rf"|(?<![\w-])(?:todestag|sterbedatum|todesdatum|sterbetag|verst\.|gest\.|(?:seinem|ihrem|dem)[ ]+tode?(?=[ ]+am))"
    rf"(?:[ ]*(?::|ist|is|war|am|der|den)(?![\w])){{0,3}}[ ]*(?P<keyed>{_DAY_AND_MONTH})"
)
_DEATH_HINT = _compile(r"storben|schieden|schlafen|gekommen|todes|sterbe|verst\.|gest\.|[ ]tode?[ ]+am")

# The floor of an identified person's flat: "herr [NAME] aus dem dritten stock", "[NAME], im erdgeschoss links".
_FLOOR = _compile(
    r"(?<![\w-])(?:aus[ ]+dem|im|vom|in[ ]+der|auf[ ]+der|in[ ]+die)[ ]+"
    rf"(?P<value>(?:(?:{_ORDINAL}|[0-9]{{1,2}}\.)[ ]+(?:stock|stockwerk|etage|og|obergeschoss)"
    r"|erdgeschoss|dachgeschoss|souterrain|hochparterre|parterre|eg|dg)(?:[ ]+(?:links|rechts|mitte))?)(?![\w])"
)


# The house a person lives in, by its number: "herr [NAME] aus der nummer elf", "die [NAME] von nummer 7".
_HOUSE_OF_A_PERSON = _compile(
    rf"(?<=\[NAME\])[ ]+(?:aus|von|vonne)[ ]+(?:der[ ]+)?(?P<value>(?:haus)?nummer[ ]+{_ANY_HOUSE_NUMBER})"
)


def _replace_floor(match: re.Match[str]) -> str:
    return _replace_value(ADRESSE)(match) if _names_a_person(match) else match.group(0)


# A birth or death date told again in other words: "am [GEBURTSDATUM] geboren, also am dritten märz",
# "[STERBEDATUM], sprich am 4.5.".
_DATE_RETOLD = _compile(
    r"\[(?P<kind>GEBURTSDATUM|STERBEDATUM)\](?:[ ]+\w+){0,2}[ ,]+"
    r"(?:also|sprich|das[ ]+heißt|das[ ]+heisst|d\.[ ]?h\.|genauer(?:[ ]+gesagt)?|ich[ ]+meine?|beziehungsweise|bzw\.)"
    rf"[ ,]+(?:(?:am|an|der|den|im)[ ]+)?(?P<value>{_DAY_AND_MONTH}|{_PARTIAL_BIRTH_DATE})(?![0-9])"
)


def _replace_retold_date(match: re.Match[str]) -> str:
    return _replace_group(match, "value", f"[{match.group('kind')}]")


# A place of birth of an identified person: "geboren [GEBURTSDATUM] in breslau", "in kattowitz geboren".
# Local places stay (they are where the caller lives, and every ordinary question names them), and so do
# hospitals and other institutions ("im bethesda krankenhaus geboren").
_BIRTHPLACE = _compile(
    r"(?<![\w-])geboren(?:[ ]+(?:am|im|an|ist|is|war|wurde|bin|er|sie|ich|\[GEBURTSDATUM\])(?![\w])){0,4}"
    rf"[ ]+in[ ]+(?:(?:der|dem|den)[ ]+)?(?P<value>{_NAME_WORD}(?:[ ]+(?-i:[A-ZÄÖÜ])[\w-]+)?)"
    rf"|(?<![\w-])in[ ]+(?:(?:der|dem|den)[ ]+)?(?P<before>{_NAME_WORD})[ ]+geboren"
)


def _replace_birthplace(match: re.Match[str]) -> str:
    group = "value" if match.group("value") is not None else "before"
    words = match.group(group).lower().split()
    if (
        not _names_a_person(match)
        or any(w in PLACE_NAMES for w in words)
        or any(_PUBLIC_PLACE.search(w) or w in ("klinik", "hospital", "kreißsaal") for w in words)
    ):
        return match.group(0)
    return _replace_group(match, group, HERKUNFT)


# A year of death, like a birth year: "is zweitausendzweiundzwanzig verstorben", "verstorben 2021"; only when
# the utterance identifies the person ("2021 is meine oma gestorben, …" asks about a grave).
_YEAR_OF_DEATH = _compile(
    rf"(?<![\w-])(?:im[ ]+jahr[ ]+)?(?P<value>{_YEAR4}(?![0-9])|{_SPOKEN_YEAR})"
    rf"(?=(?:[ ]+{_SAME_CLAUSE_WORD}[^\s,.;!?]+){{0,2}}?[ ]+(?:{_DEATH_VERB})(?![\w]))"
    rf"|(?<![\w-])(?:{_DEATH_VERB})[ ]+(?:im[ ]+jahr[ ]+|anno[ ]+)?(?P<after>{_YEAR4}(?![0-9])|{_SPOKEN_YEAR})"
)


def _replace_year_of_death(match: re.Match[str]) -> str:
    if not _names_a_person(match):
        return match.group(0)
    return _replace_date_of_death(match)


def _replace_date_of_death(match: re.Match[str]) -> str:
    groups = ("value", "after", "appended", "noted", "weekday_before", "weekday", "keyed")
    group = next(g for g in groups if match.group(g) is not None)
    return _replace_group(match, group, STERBEDATUM)


def _replace_birthday(match: re.Match[str]) -> str:
    return _replace_group(match, "value" if match.group("value") is not None else "after", GEBURTSDATUM)


# A birthday told with the age turned: "is achtzehn geworden am siebten februar".
_BIRTHDAY_WITH_AGE = _compile(
    rf"(?:\[ALTER\]|{_AGE_WORD})[ ]+geworden[ ]+am[ ]+(?P<value>{_DAY_AND_MONTH})"
    rf"|(?<![\w-])am[ ]+(?P<after>{_DAY_AND_MONTH})[ ]+(?:\[ALTER\]|{_AGE_WORD}(?:[ ]+jahre(?:[ ]+alt)?)?)[ ]+geworden"
)

# Schools for adults and hobbies are no child's school: "volkshochschule", "fahrschule", "tanzschule".
_SCHOOL_WORD = (
    r"(?![\w-]*(?:hoch|fahr|hunde|tanz|musik|sprach|abend|flug|segel|koch|yoga|mal|reit|schwimm|kampfsport)schule)"
    r"[\w-]*(?:schule|gymnasium|kita|kitas|kindergarten|kindertagesstätte|tagesstätte|berufskolleg|kinderhort|hort"
    r"|ogs|krippe|tagespflege)(?:-?(?:gruppe|klasse))?(?![\w-])"
)
# A participle ends the sentence, not the school's name: "… in der kita angemeldet", "eingeschult".
_PARTICIPLE = r"\w*(?:ge\w*t|et|iert)(?![\w'-])"
# A word of a school's name: "am schöttelhof", "in hiesfeld", "walsum", "sonnenblume" (not a function word).
_SCHOOL_NAME_WORD = (
    rf"(?:(?:duisburg|bottrop|dinslaken|weg|straße|platz|ring|allee)(?![\w'-])|st\.(?=[ ])"
    rf"|{_NOT_A_FUNCTION_WORD}(?!inne(?![\w])|klasse(?![\w])|gruppe(?![\w])|{_PARTICIPLE})"
    rf"{_LETTER}[\w'-]{{1,40}}(?![\w'-]))"
)
_SCHOOL_NAME_TAIL = rf"(?:[ ]+(?:(?:am|an[ ]+der|in|im|auf[ ]+der)[ ]+)?{_SCHOOL_NAME_WORD}){{0,3}}"
_CLASS_CORE = (
    rf"(?:{_ORDINAL}[ ]+klasse|klasse[ ]*(?:[0-9]{{1,2}}[ ]?[a-f]?|(?:{_SPOKEN_1_TO_99}|zwo)(?:[ ][a-f])?)(?![\w])"
    rf"|(?:[0-9]{{1,2}}[ ]?|(?:{_SPOKEN_1_TO_99}|zwo)[ ])[a-f](?![\w]))"
)
_CLASS_AFTER_SCHOOL = (
    rf"(?:[ ,]+(?:(?:inne|in[ ]+der|in[ ]+die|aus[ ]+der)[ ]+)?{_CLASS_CORE}"
    rf"|[ ,]+(?:inne|in[ ]+der|in[ ]+die)?[ ]*(?:gruppe|klasse)[ ]+{_SCHOOL_NAME_WORD})?"
)
_ONE_SCHOOL = rf"(?:{_SCHOOL_NAME_WORD}[ ]+){{0,2}}{_SCHOOL_WORD}{_SCHOOL_NAME_TAIL}{_CLASS_AFTER_SCHOOL}"
# "die ogs von der grundschule am dellplatz": a part of a school and the school.
_SCHOOL_PHRASE = rf"{_ONE_SCHOOL}(?:[ ]+(?:von|vonne|an|auf)[ ]+(?:der|dem)[ ]+{_ONE_SCHOOL})?"
_OF_SCHOOL = rf"(?:von|an|auf|vonne)[ ]+(?:der|dem)[ ]+{_SCHOOL_PHRASE}"
# A class with its letter: "vier a", "2c", "klasse 6 b".
_LETTERED_CLASS = rf"(?:klasse[ ]*)?(?:[0-9]{{1,2}}[ ]?|(?:{_SPOKEN_1_TO_99}|zwo)[ ])[a-f](?![\w])"
# A class numbered by year and parallel class, as said in the Ruhr: "dreizwei" (3/2), "fünf eins".
_CLASS_DIGIT = r"(?:eins|zwei|zwo|drei|vier|fünf|sechs|sieben|acht|neun|zehn)"
_PARALLEL_CLASS = rf"{_CLASS_DIGIT}[ ]?{_CLASS_DIGIT}(?![\w])"
# A class told before its school: "(is in der) dritten an der fröbelschule", "sechs b von der …".
_CLASS_BEFORE_SCHOOL = (
    rf"(?:(?:{_ORDINAL}(?:[ ]+klasse)?|{_LETTERED_CLASS}|klasse[ ]+\w+|{_PARALLEL_CLASS})"
    rf"[ ]+(?:(?:an|auf|von|vonne|in)[ ]+(?:der|dem|die)|der|vom|am|im|aufm)[ ]+)?"
)
_SCHOOL_PREPOSITION = r"(?:(?:auf|in|an|bei)[ ]+(?:die|der|den|das|dem)|inne|aufe|auffe|anne|aufs|aufm|ins|im|am|beim)"
# Going to a school (a few words may come between: "kommt nächstes jahr auf die …"), being at one ("is jetz
# auf der …", only adverbs between) or attending one ("besucht die …").
_ATTENDS = (
    r"(?:(?:geht|gehen|ging|gingen|kommt|kommen|kam|eingeschult)"
    rf"(?:[ ]+\w+){{0,3}}?[ ]+{_SCHOOL_PREPOSITION}"
    rf"|(?:wechselt|wechseln|gewechselt)(?:[ ]+\w+){{0,3}}?[ ]+(?:{_SCHOOL_PREPOSITION}|zur|zum)"
    rf"|(?:is[t]?|sind|war|waren|bin)(?:[ ]+(?:jetz|jetzt|noch|schon|auch|ja|seit[ ]+\w+)){{0,2}}[ ]+"
    rf"{_SCHOOL_PREPOSITION}"
    r"|(?:besucht|besuchen|besuchte)(?:[ ]+(?:die|der|den|das|dem))?"
    # "wir haben unseren sohn [NAME] in der kita …": a child one has at a school.
    r"|(?:haben|hab|habe|hat)[ ]+(?:unsere[n]?|meine[n]?|die|den)[ ]+\w+(?:[ ]+\S+){0,2}?[ ]+"
    r"(?:in[ ]+der|im|in[ ]+den))"
)
_CHILDS_SCHOOL = _compile(
    rf"(?<![\w-])(?=[gkwiesbh])(?:{_ATTENDS})[ ]+(?P<value>{_CLASS_BEFORE_SCHOOL}(?P<school>{_SCHOOL_PHRASE}))"
    rf"|(?<![\w-])(?=[ai])(?:aus|in|inne)[ ]+(?:der[ ]+|die[ ]+)?"
    rf"(?P<klass>(?:{_LETTERED_CLASS}|{_ORDINAL}[ ]+klasse(?=[ ]+{_OF_SCHOOL}))"
    rf"(?:[ ]+{_OF_SCHOOL})?)"
)
# A kindergarten group or a class told after the school: "[SCHULE] in der gruppe der igel", "[SCHULE], klasse 3b".
_GROUP_AFTER_SCHOOL = _compile(
    r"\[SCHULE\][ ,]+(?:(?:in[ ]+der|bei[ ]+den|inne)[ ]+)?"
    r"(?P<value>gruppe[ ]+(?:der[ ]+|die[ ]+)?[\w-]+|[\w-]+gruppe|klasse[ ]+\w+|(?:bei[ ]+den[ ]+)?[\w-]+kindern)"
)
_SCHOOL_HINT = _compile(
    r"schule|gymnasium|kita|kindergarten|tagesstätte|kolleg|hort|ogs|krippe|klasse|[0-9][ ]?[a-f]\b"
    r"|(?:aus|in|inne)[ ]+(?:der[ ]+|die[ ]+)?\w+[ ][a-f]\b"
)


_INFLECTED_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")


# A kind of school names no school; a compound with anything else does ("fröbelschule", "pestalozzischule").
_GENERIC_SCHOOL_WORD = _compile(
    r"(?:(?:grund|haupt|real|gesamt|sekundar|förder|gemeinschaftsgrund|gemeinschafts|berufs|ganztags|sonder|ober"
    r"|mittel|volks|primar|privat|schwerpunkt|nachbar|weiterführende|heim)?schule|gymnasium|kita|kitas|kindergarten"
    r"|kindertagesstätte|tagesstätte|berufskolleg|kinderhort|hort|ogs|krippe|tagespflege)(?:-?(?:gruppe|klasse))?"
)


def _names_no_school(value: str) -> bool:
    """A kind of school alone or after adjectives ("die weiterführende schule", "die städtische kita")."""
    words = value.split()  # "theodor-heuss-gymnasium" is no kind of school, so it names one
    return _GENERIC_SCHOOL_WORD.fullmatch(words[-1]) is not None and all(
        w.lower().endswith(_INFLECTED_ADJECTIVE_ENDINGS) for w in words[:-1]
    )


def _replace_school(match: re.Match[str]) -> str:
    """The school's name and class; a school word alone ("geht in die schule") names no school and stays."""
    group = "value" if match.group("value") is not None else "klass"
    # A class alone ("die kinder aus der 4a") is a child's only next to the child's name.
    if group == "klass" and "schule" not in match.group("klass") and not _names_a_person(match):
        return match.group(0)
    if group == "value" and _names_no_school(match.group("school")):
        return match.group(0)
    return _replace_group(match, group, SCHULE)


# ---- nationality, workplace, a stay in hospital --------------------------------------------------------
"""Round 5. A person's nationality and residence status (``[HERKUNFT]``) and a stay in a hospital, hospice
or care home (``[GESUNDHEIT]``) are removed when the utterance identifies the person (like an exact age):
"[NAME], ich bin polnische staatsangehörige", "meine schwiegermutter [NAME] is seit zwei wochen im st
johannes hospital". Alone they are the subject of a question and stay ("ich bin türkischer staatsbürger,
brauch ich …", "meine mutter is im pflegeheim, kann ich …"). A person's named workplace (``[ARBEIT]``) is
removed always: an occupation with a named employer or place of work identifies a person in a city ("ich bin
lehrerin an der hauptschule in lohberg", "ich arbeite bei der dvg als busfahrer"); an occupation alone ("ich
bin rentner", "als erzieherin in ner kita") and a generic employer ("bei der stadt") stay.
"""
_NATIONALITY_ADJECTIVE = r"[\w-]{2,30}sch(?:e|er|en|es)?"
_RESIDENCE_STATUS = (
    r"(?:duldung|niederlassungserlaubnis|aufenthaltserlaubnis|aufenthaltsgestattung|aufenthaltstitel|blauer[ ]karte"
    r"|asylstatus|flüchtlingsstatus|subsidiärem[ ]schutz)"
)
_DEMONYM = _words(
    "türke", "türkin", "pole", "polin", "kosovare", "kosovarin", "syrer", "syrerin", "iraker", "irakerin", "afghane",
    "afghanin", "russe", "russin", "ukrainer", "ukrainerin", "rumäne", "rumänin", "bulgare", "bulgarin", "serbe",
    "serbin", "kroate", "kroatin", "bosnier", "bosnierin", "albaner", "albanerin", "grieche", "griechin", "italiener",
    "italienerin", "spanier", "spanierin", "portugiese", "portugiesin", "marokkaner", "marokkanerin", "libanese",
    "libanesin", "iraner", "iranerin", "eritreer", "eritreerin", "nigerianer", "nigerianerin", "chinese", "chinesin",
    "vietnamese", "vietnamesin", "inder", "inderin", "niederländer", "niederländerin", "tunesier", "tunesierin",
    "algerier", "algerierin", "ägypter", "ägypterin", "somalier", "somalierin", "kurde", "kurdin", "ungar", "ungarin",
    "tscheche", "tschechin", "slowake", "slowakin", "litauer", "litauerin", "mazedonier", "mazedonierin",
    "montenegriner", "montenegrinerin", "ghanaer", "ghanaerin", "brite", "britin", "franzose", "französin",
)  # fmt: skip
_NATIONALITY = _compile(
    rf"(?<![\w-])(?P<value>{_NATIONALITY_ADJECTIVE}[ ]+(?:staatsangehörige[rn]?|staatsangehörigkeit"
    rf"|staatsbürger(?:in)?|staatsbürgerschaft|nationalität)(?:[ ]+mit[ ]+(?:einer[ ]+)?{_RESIDENCE_STATUS})?)(?![\w])"
    rf"|(?<![\w-])(?:bin|ist|is|war|sind)[ ]+(?:(?:ein|eine|gebürtige[r]?)[ ]+)?(?P<demonym>{_DEMONYM})(?![\w])"
)
_NATIONALITY_HINT = _compile(r"staats|nationalität|[a-zäöü]{3}(?:e|in|er)?(?![\w])")


def _replace_nationality(match: re.Match[str]) -> str:
    if not _names_a_person(match):
        return match.group(0)
    return _replace_group(match, "value" if match.group("value") is not None else "demonym", HERKUNFT)


_LOCAL_PLACE = _words(*PLACE_NAMES)
# A stay in a hospital, hospice or care home: "is seit zwei wochen im st johannes hospital", "liegt in der
# uniklinik essen".
_CARE_PLACE = (
    r"[\w-]*(?:krankenhaus|klinik|klinikum|hospital|hospiz|pflegeheim|altenheim|seniorenheim|reha|rehaklinik"
    r"|psychiatrie|intensivstation|palliativstation)"
)
_STAY_IN_CARE = _compile(
    r"(?<![\w-])(?:ist|is|liegt|lag|war|bin|sind|kommt|kam|lebt|lebte|wohnt|wohnte)[ ]+"
    r"(?P<value>(?:(?:seit|schon|noch|jetzt|jetz|gerade|grad|wieder)(?:[ ]+(?!im|in)[\w]+){0,2}?[ ]+)?"
    rf"(?:im|in[ ]+der|in[ ]+dem|ins|in[ ]+die|auf[ ]+der)[ ]+(?P<place>(?:[\w.-]+[ ]+){{0,3}}?{_CARE_PLACE}"
    rf"(?:[ ]+(?-i:[A-ZÄÖÜ])[\w.-]+){{0,2}}"  # typed name words after it: "Seniorenheim Haus Abendsonne", "St. Anna"
    rf"(?:[ ]+{_LOCAL_PLACE}(?![\w-]))?"  # a town or district: "im evangelischen krankenhaus dinslaken"
    rf"(?:[ ]+(?:am|an[ ]+der|in)[ ]+(?!{_FUNCTION_WORDS}{_END}){_LETTER}[\w-]*)?(?:[ ]+{_LETTER}[\w-]*(?=[ ]+und))?))"
    r"(?![\w])"
)
# A kind of care place alone names none ("is im krankenhaus", "im städtischen pflegeheim": the concern).
_GENERIC_CARE_PLACE = _compile(
    r"(?:[\w-]*(?:e|en|er|es|em)[ ]+)*(?:krankenhaus|klinik|klinikum|uniklinik|kinderklinik|hospital|hospiz"
    r"|pflegeheim|altenheim|seniorenheim|reha|rehaklinik|psychiatrie|intensivstation|palliativstation)"
)
_CARE_HINT = _compile(r"kranken|klinik|hospi|heim|reha|psychiatr|station")


def _replace_stay_in_care(match: re.Match[str]) -> str:
    if not _names_a_person(match) or _GENERIC_CARE_PLACE.fullmatch(match.group("place")):
        return match.group(0)
    return _replace_value(GESUNDHEIT)(match)


# A named workplace: after "arbeite(t) … bei/für", "als <occupation> bei/in der/an der …", "ich bin (der)
# <occupation> der/an der/von …". The employer's words run to the end of the clause.
_CLAUSE_END = (
    r"(?:und|oder|aber|weil|dass|denn|ich|wir|brauch\w*|möchte|möcht|will|wollte|wollt|muss|kann|habe|hab|hat|ist"
    r"|is|bin|sind|soll|darf|wie|wo|was|wann|ob|jetzt|jetz|seit|anfange|angefangen|anfangen|angestellt|tätig"
    r"|arbeite\w*|gewechselt|brauche|und)(?![\w])"
)
_ORG_WORD = rf"(?!{_CLAUSE_END}|{_FUNCTION_WORDS}(?![\w-])){_LETTER}[\w.&'-]*"
# The employer's first word is a word (not "[NAME]": "ich bin die lehrerin von [NAME]" is about a child); a
# name may follow ("kebaphaus [NAME]").
_ORG = (
    rf"(?!(?:einer?|einem|nem|ner|n|keine[rm]?|mir|uns|ihnen|dir|zuhause|daheim|hause|home|mehreren|herrn?|frau"
    rf"|familie)(?![\w]))(?:(?:der|dem|den|die|des)[ ]+)?(?:firma[ ]+)?{_ORG_WORD}"
    rf"(?:[ ]+(?:(?:in|im|am|an[ ]+der|aus|von|vom|bei|zur|zum)[ ]+)?(?:{_ORG_WORD}|\[NAME\])){{0,4}}"
)
# A word for an occupation by its ending; relatives ("mutter", "schwager"), people who learn ("student",
# "schülerin": a university or school is no workplace), tenants, residents, patients and customers are none.
_OCCUPATION = (
    # statuses, also in compounds ("eu-bürger", "assistenzhundhalter", "hauptmieter")
    r"(?![\w-]*(?:bürger|bürgerin|halter|halterin|mieter|mieterin|bewohner|bewohnerin|teilnehmer|teilnehmerin"
    r"|wähler|wählerin|empfänger|empfängerin|pendler|pendlerin)(?![\w]))"
    rf"(?!(?:{_RELATIVE}|tagesmutter|tagesvater|student|studentin|schüler|schülerin|neffe|mieter|mieterin"
    rf"|untermieter|untermieterin|vermieter|vermieterin|eigentümer|eigentümerin|anwohner|anwohnerin|bewohner"
    rf"|bewohnerin|einwohner|einwohnerin|nachbar|teilnehmer|teilnehmerin|bürger|bürgerin|wähler|wählerin|patient"
    rf"|patientin|kunde|kundin|mitglied|halter|halterin|erbe|erbin)(?![\w]))"
    rf"(?!{_FUNCTION_WORDS}(?![\w])|{_ADVERBS}(?![\w]))"
    r"[\w-]{3,40}(?:er|erin|or|orin|eur|eurin|ant|antin|and|andin|ent|entin|ist|istin|ling|frau|mann|kraft|arzt"
    r"|ärztin|anwältin|beamter|beamtin|soldat|soldatin|är|ärin)(?![\w])"
)
_ORG_PREPOSITION = r"(?:bei|für|an[ ]+der|an[ ]+dem|am|im|in[ ]+der|in[ ]+dem|von|vom|der|des)"
_WORKPLACE = _compile(
    r"(?<![\w-])(?:arbeite|arbeitet|arbeiten|arbeitete|jobbe|jobbt|beschäftigt|angestellt|tätig"
    r"|schaffe|schafft|schaffen|maloche|malocht|malochen|malochte)"  # Ruhr German: "schafft bei evonik"
    r"(?:[ ]+(?:seit[ ]+\w+(?:[ ]+\w+)?|jetzt|jetz|noch|schon|auch|da|halt|hier)){0,2}[ ]+"
    rf"(?P<value>(?:als[ ]+{_OCCUPATION}[ ]+)?(?:bei|für)[ ]+{_ORG}(?:[ ]+als[ ]+{_OCCUPATION})?"
    # after "arbeite als" any word is the occupation: "arbeite als koch im restaurant zur alten mühle"
    rf"|als[ ]+[\w-]+[ ]+(?:im|am|beim|in[ ]+der|in[ ]+dem|an[ ]+der|an[ ]+dem)[ ]+{_ORG})"
    rf"|(?<![\w-])(?P<role>als[ ]+(?:[\w-]+[ ]+)?{_OCCUPATION}[ ]+(?:bei|für|an[ ]+der|in[ ]+der|im|am)[ ]+{_ORG})"
    rf"|(?<![\w-])(?:i(?:s)?ch[ ]+bin|bin[ ]+ich|(?:er|sie|{_RELATIVE}(?:[ ]+\[NAME\])?)[ ]+(?:ist|is|war))[ ]+"
    rf"(?:(?:der|die|ein|eine)[ ]+)?"
    rf"(?:einzige[nr]?[ ]+)?(?P<job>(?:[\w-]+[ ]+)?{_OCCUPATION}[ ]+{_ORG_PREPOSITION}[ ]+{_ORG})"
)
_WORKPLACE_HINT = _compile(r"arbeit|jobb|beschäftigt|angestellt|tätig|schaff|maloch|als[ ]|bin[ ]|ist[ ]|is[ ]|war[ ]")
# Employers and places too common to single a person out: "ich arbeite bei der stadt".
_GENERIC_EMPLOYER = _compile(
    r"(?:der|dem|den|die|des)?[ ]*(?:stadt|stadtverwaltung|verwaltung|firma|zeitarbeit|zeitarbeitsfirma|leiharbeit"
    r"|schule|kita|uni|universität|post|bahn|bank|bundeswehr|polizei|krankenhaus|pflege|gastronomie|bau|baustelle"
    r"|industrie|behörde|kirche|gemeinde|praxis|apotheke|supermarkt|fabrik|werk|zeit"
    # one word for a kind of workplace: "vorsitzender vom kleingartenverein", "koch im restaurant"
    r"|[\w-]*(?:verein|betrieb|restaurant|laden|geschäft|werkstatt|firma|unternehmen|amt|büro|heim|kiosk|hotel"
    r"|café|cafe|bäckerei|metzgerei|kanzlei|lager|gastronomie|handwerk|pflegedienst|klinik|krankenhaus)"
    # how and when, not where: "im schichtdienst", "im homeoffice", "in teilzeit"
    r"|[\w-]*(?:dienst|schicht)|home-?office|teilzeit|vollzeit|minijob|ausbildung|elternzeit|rente|ruhestand)"
)


_CONCERN_NOT_EMPLOYER = _compile(
    r"[\w-]*(?:steuer|müll|geld|wahl|schein|ausweis|pass|antrag|zeugnis|urkunde|gebühren?|tonne|termin|bescheid"
    r"|erlaubnis|abfuhr|kosten|befreiung|pflicht)"
)


def _replace_workplace(match: re.Match[str]) -> str:
    group = next(g for g in ("value", "role", "job") if match.group(g) is not None)
    org = re.split(rf"(?:^|[ ]+){_ORG_PREPOSITION}[ ]+", match.group(group), maxsplit=1, flags=re.IGNORECASE)[-1]
    org = re.sub(r"^(?:der|dem|den|die|des)[ ]+", "", org.strip(), flags=re.IGNORECASE)
    if _GENERIC_EMPLOYER.fullmatch(org) or _GENERIC_SCHOOL_WORD.fullmatch(org):
        return match.group(0)
    # A concern is no employer: "als halter von der hundesteuer befreit", "bei der kommunalwahl".
    if _CONCERN_NOT_EMPLOYER.fullmatch(org.split(" ", 1)[0]):
        return match.group(0)
    return _replace_group(match, group, ARBEIT)


# ---- the safety net --------------------------------------------------------------------------------
"""Any other run of five or more digits, grouped by spaces, dots, slashes or dashes: customer numbers
without their keyword, partial phone numbers, postal codes. House numbers, fees ("37 Euro") and years stay, being
shorter; long amounts followed by a currency ("1.000.000 Euro") stay too.
"""
_TYPED_DATE_AHEAD = (
    rf"(?:{_DAY}[./-]{_MONTH}[./-](?:19|20)?[0-9]{{2}}|{_YEAR4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]))(?![0-9])"
)
_LONG_NUMBER = _compile(
    rf"{_DIGIT_RUN_START}(?!{_TYPED_DATE_AHEAD}|{_YEAR4}[ ]?[-/][ ]?(?:{_YEAR4}|[0-9]{{2}})(?![ ./-]?[0-9]))"
    rf"[0-9](?:[ ./-]?[0-9]){{4,}}(?![ ./-]?[0-9]){_NOT_A_QUANTITY}"
)

# ---- codes of letters and digits ---------------------------------------------------------------------
"""A word that mixes letters and at least two digits, five characters or longer ("ab12345", "4711xk",
"x7k9p2"): a customer, card or case code. Numbers with a unit written on ("100kg", "30min") and ordinals
("2026er") stay.
"""
_ALPHANUMERIC_CODE = _compile(
    rf"(?<![\w-])(?=[a-zäöü0-9]*[0-9][a-zäöü0-9]*[0-9])(?=[0-9]*[a-zäöü])"
    rf"(?![0-9]+(?:{_UNIT_WORDS}|er|te|ten|ter|tes|stel)(?![\w]))[a-zäöü0-9]{{5,24}}(?![\w-])"
)
_HAS_LETTER_AND_DIGIT = _compile(r"[a-z][0-9]|[0-9][a-z]")
# Groups of letters and digits joined by dashes or slashes, with two digit groups and four digits in all:
# "2024-BA-3391", "ms-44/2025" (case and booking numbers). "covid-19", "u3-gruppe", "24-jährige" stay.
_DASHED_CODE = _compile(r"(?<![\w/-])[a-zäöü0-9]{1,8}(?:[-/][a-zäöü0-9]{1,8}){1,5}(?![\w/-])")
_MIN_DIGITS_IN_A_DASHED_CODE = 4
_MAX_LETTERS_IN_A_CODE_GROUP = 3


def _replace_dashed_code(match: re.Match[str]) -> str:
    groups = re.split(r"[-/]", match.group(0))
    digit_groups = [g for g in groups if g.isdigit()]
    letter_groups = [g for g in groups if g.isalpha()]
    if (
        len(digit_groups) + len(letter_groups) == len(groups)
        and len(digit_groups) >= 2
        and letter_groups
        and all(len(g) <= _MAX_LETTERS_IN_A_CODE_GROUP for g in letter_groups)
        and sum(len(g) for g in digit_groups) >= _MIN_DIGITS_IN_A_DASHED_CODE
    ):
        return NUMMER
    return match.group(0)


_DASH_BETWEEN = _compile(r"[0-9a-z][-/][0-9a-z]")

# ---- spelled with the spelling alphabet ----------------------------------------------------------------
"""Three or more spelled tokens in a row, at least one of them a word of the spelling alphabet or
"x wie word": "a wie anton, b wie berta, eins zwei", "kaufmann otto cäsar heinrich". Spelled text is a
name or a code, whatever the words around it say.
"""
_SPELLED_TOKEN = (
    rf"(?:[a-zäöü][ ]wie[ ]{_LETTER}{{2,20}}|{_SPELLING_ALPHABET}|{_LETTER_NAME}|{_LETTER}|{_DIGIT_WORD}|[0-9]{{1,4}})"
    rf"(?![\w])"
)
_SPELLED_RUN = _compile(rf"(?<![\w-]){_SPELLED_TOKEN}(?:(?:[ ,.;-]+(?:dann[ ,]+)?){_SPELLED_TOKEN}){{2,30}}")
_SPELLING_WORD = _compile(rf"[a-zäöü][ ]wie[ ]|(?<![\w]){_SPELLING_ALPHABET}(?![\w])")
_SINGLE_LETTER = _compile(rf"{_LETTER}")
_SPELLING_OR_DIGIT_WORD = _compile(rf"{_SPELLING_WORD.pattern}|(?<![\w])(?:{_DIGIT_WORD}|[0-9])(?![\w])")
# Spelled without any word of the spelling alphabet, a run counts when it mixes at least two letters and two
# digits ("d u, dann k a, dann sieben sieben sieben"): ordinary speech has no such runs.
_MIN_LETTERS_AND_DIGITS_IN_A_CODE = 2


def _spelled_words(value: str) -> list[str]:
    """The tokens of a spelled run, "x wie word" kept together: ["k wie kaufmann", "o", "c", "h"]."""
    return [t for t in re.split(r"[ ,.;-]+(?!wie[ ])(?<!wie[ ])", value) if t and t.lower() != "dann"]


def _replace_spelled_run(match: re.Match[str]) -> str:
    value = match.group(0)
    tokens = _spelled_words(value)
    has_digits = any(_DIGIT_TOKEN.fullmatch(t) for t in tokens)
    if not _SPELLING_WORD.search(value):
        letters = sum(1 for t in tokens if _SINGLE_LETTER.fullmatch(t) or t.lower() in _LETTER_NAMES)
        digits = sum(1 for t in tokens if _DIGIT_TOKEN.fullmatch(t))
        if min(letters, digits) < _MIN_LETTERS_AND_DIGITS_IN_A_CODE:
            return value
        return NUMMER
    if sum(1 for t in tokens if len(t) > 1) < 1:
        return value
    if has_digits:
        return NUMMER
    _remember_name(spelled_out(value), spelled=True)
    return NAME


def _replace_place_checked_name(match: re.Match[str]) -> str:
    """Like ``_replace_name()``, unless the words are local place names ("die oma von hamborn")."""
    if any(w.lower() in PLACE_NAMES for w in match.group("value").split()):
        return match.group(0)
    return _replace_name()(match)


# A district code left before a number read out after a plate keyword: "kennzeichen is bot [NUMMER]".
_PLATE_CODE_BEFORE_NUMBER = _compile(
    rf"(?<![\w-]){_PLATE_KEYWORD}\w{{0,3}}(?:[ ,:]+\w{{1,12}}){{0,3}}?[ ,:]+"
    rf"(?P<value>{_REGIONAL_PLATE_CODE}[ ,-]+\[NUMMER\])"
)
# Spelled with the international alphabet, with or without a keyword: at least two different NATO words among
# three tokens or more ("whiskey echo bravo echo romeo", "oscar bravo bindestrich mike acht acht eins"). With
# digits it is a plate after a plate or vehicle word, else a number; letters alone spell a name.
_NATO_TOKEN = (
    rf"(?:{_NATO_WORD}|{_CITY_WORD}|{_SPELLING_ALPHABET}|{_DIGIT_WORD}|{_LETTER}|bindestrich|strich|minus|leerzeichen)"
    r"(?![\w])"
)
_NATO_RUN = _compile(rf"(?<![\w-]){_NATO_TOKEN}(?:[ ,-]+{_NATO_TOKEN}){{2,30}}")
_NATO_HINT = _compile(rf"(?<![\w])(?:{_NATO_WORD}|{_CITY_WORD})[ ,-]")
# Cities are listed in ordinary questions too ("berlin, hamburg, münchen"): a run of them spells only after a
# word about spelling or a name.
_SPELLING_CUE = _compile(
    r"(?<![\w])(?:buchstabi\w*|spell\w*|schreib\w*|(?:vor|nach|familien)?name(?:[ ]+(?:ist|is|lautet))?[ ]*:?[ ]*$)"
    r"|wie[ ]+man"
)
_MIN_CITY_WORDS = 3
_PLATE_CUE = _compile(rf"{_PLATE_KEYWORD}|{_VEHICLE.pattern}")
_MIN_NATO_WORDS = 2


def _replace_nato_run(match: re.Match[str]) -> str:
    tokens = [t for t in re.split(r"[ ,-]+", match.group(0).lower()) if t]
    before = match.string[max(0, match.start() - _BIRTH_CONTEXT_WINDOW) : match.start()]
    nato, cities = {t for t in tokens if t in _NATO_LETTERS}, {t for t in tokens if t in _CITY_LETTERS}
    if len(nato) < _MIN_NATO_WORDS and (len(cities) < _MIN_CITY_WORDS or not _SPELLING_CUE.search(before)):
        return match.group(0)
    if any(_DIGIT_WORD_ONLY.fullmatch(t) for t in tokens):
        return KENNZEICHEN if _PLATE_CUE.search(before) else NUMMER
    _remember_name(spelled_out(match.group(0)), spelled=True)
    return NAME


# Spelled with letter names and single letters, no spelling-alphabet word: "em, a, ka, e, el" (Makel).
# Four tokens or more, at least one letter name and two different tokens ("ha ha ha ha" is laughter).
_ANY_LETTER_NAME = _words(*_LETTER_NAMES)
_SPELLED_LETTER_NAMES = _compile(
    rf"(?<![\w-])(?:(?:{_ANY_LETTER_NAME}|{_LETTER})[ ,]+){{3,30}}(?:{_ANY_LETTER_NAME}|{_LETTER})(?![\w])"
)


def _replace_spelled_letter_names(match: re.Match[str]) -> str:
    tokens = [t for t in re.split(r"[ ,]+", match.group(0).lower()) if t]
    if len(set(tokens)) < 2 or not any(t in _LETTER_NAMES for t in tokens):
        return match.group(0)
    return _replace_spelled_letters(match)


def _replace_spelled_letters(match: re.Match[str]) -> str:
    spelled = spelled_out(match.group(0))
    _remember_name(spelled, spelled=True)
    # A letter dropped or added while spelling ("ka ü es te er" for "küster"): the word said in full nearby
    # is removed too when it differs from the spelling by one letter.
    if len(spelled) >= _MIN_FUZZY_SPELLING:
        for word in _NAME_PART.findall(match.string):
            lowered = word.lower()
            if lowered != spelled and lowered[0] == spelled[0] and _one_letter_apart(lowered, spelled):
                _remember_name(word)
    return NAME


_MIN_FUZZY_SPELLING = 5


def _one_letter_apart(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one inserted or deleted letter."""
    if abs(len(a) - len(b)) != 1:
        return False
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


GERMAN_RULES: tuple[RedactionRule, ...] = (
    RedactionRule("email", _EMAIL_TYPED, _replace_email, _AT_SIGN),
    RedactionRule("email", _EMAIL_SPOKEN, _replace_email, _SPOKEN_AT),
    RedactionRule("email", _SPELLED_BEFORE_EMAIL, EMAIL, _compile(r"[ ,]\[EMAIL\]")),
    RedactionRule("spelled", _NATO_RUN, _replace_nato_run, _NATO_HINT),
    RedactionRule("iban", _GERMAN_IBAN, IBAN),
    RedactionRule("iban", _IBAN, _replace_iban),
    RedactionRule("tax id", _INTRODUCED_TAX_ID, _replace_value(STEUER_ID)),
    RedactionRule("id document", _INTRODUCED_ID_DOCUMENT, _replace_value(AUSWEISNR)),
    RedactionRule("file number", _INTRODUCED_FILE_NUMBER, _replace_value(NUMMER), _FILE_NUMBER_HINT),
    RedactionRule("license plate", _INTRODUCED_PLATE, _replace_value(KENNZEICHEN)),
    RedactionRule("date", _ISO_DATE, _replace_date),
    RedactionRule("date", _NUMERIC_DATE, _replace_date),
    RedactionRule("date", _SPACED_DATE, _replace_date),
    RedactionRule("date", _WRITTEN_DATE, GEBURTSDATUM),
    RedactionRule("date of birth", _INTRODUCED_BIRTH_DATE, _replace_birth_date),
    RedactionRule("date of birth", _BIRTH_DATE_BEFORE_KEYWORD, _replace_birth_date, _BIRTH_KEYWORD_AFTER),
    RedactionRule("date of birth", _YEAR_AFTER_BIRTH_DATE, _replace_year_after_birth_date, _compile(r"GEBURTSDATUM")),
    RedactionRule("school", _CHILDS_SCHOOL, _replace_school, _SCHOOL_HINT),
    RedactionRule("school", _GROUP_AFTER_SCHOOL, _replace_value(SCHULE), _compile(r"\[SCHULE\]")),
    RedactionRule("nationality", _NATIONALITY, _replace_nationality, _IDENTITY_PLACEHOLDER),
    RedactionRule("birthplace", _BIRTHPLACE, _replace_birthplace, _compile("geboren")),
    RedactionRule("stay in care", _STAY_IN_CARE, _replace_stay_in_care, _CARE_HINT),
    RedactionRule("date of death", _DATE_OF_DEATH, _replace_date_of_death, _DEATH_HINT),
    RedactionRule("date of death", _YEAR_OF_DEATH, _replace_year_of_death, _DEATH_HINT),
    RedactionRule("date", _DATE_RETOLD, _replace_retold_date, _compile(r"\[(?:GEBURTSDATUM|STERBEDATUM)\]")),
    RedactionRule("address", _FLOOR, _replace_floor, _compile(r"stock|etage|og|geschoss|parterre|souterrain|eg|dg")),
    RedactionRule("address", _HOUSE_OF_A_PERSON, _replace_value(ADRESSE), _compile(r"\[NAME\][ ]+(?:aus|von)")),
    RedactionRule("age", _AGE_AT_DEATH, _replace_age, _DEATH_HINT),
    RedactionRule("age", _AGE_STATED, _replace_age, _AGE_STATED_HINT),
    RedactionRule("age", _AGE_OF, _replace_age_of_identified, _IDENTITY_PLACEHOLDER),
    RedactionRule("age", _AGE_BIRTHDAY, _replace_age_of_identified, _compile("geburtstag")),
    RedactionRule("age", _AGE_AFTER_NAME, _replace_value(ALTER), _compile(r"\[NAME\][ ]*,")),
    RedactionRule("age", _AGE_TURNED, _replace_age_of_identified, _IDENTITY_PLACEHOLDER),
    RedactionRule("age", _AGE_TO_COME, _replace_age_of_identified, _IDENTITY_PLACEHOLDER),
    RedactionRule("age", _AGE_AFTER_SUBJECT, _replace_age_after_subject, _IDENTITY_PLACEHOLDER),
    RedactionRule("age", _AGE_YEARS_OLD, _replace_years_old, _IDENTITY_PLACEHOLDER),
    RedactionRule("date of birth", _BIRTHDAY_WITH_AGE, _replace_birthday, _compile("geworden")),
    RedactionRule("address", _COMPOUND_STREET, _replace_compound_street, _COMPOUND_STREET_WITH_NUMBER),
    RedactionRule("address", _SEPARATE_STREET, _replace_street_address, _SEPARATE_STREET_WITH_NUMBER),
    RedactionRule("address", _INTRODUCED_ADDRESS, _replace_value(ADRESSE), _ADDRESS_INTRO),
    RedactionRule("address", _INTRODUCED_STREET, _replace_value(ADRESSE), _ADDRESS_INTRO),
    RedactionRule("address", _INTRODUCED_HOUSE_NUMBER, _replace_value(ADRESSE), _compile("haus[ ]?nummer")),
    RedactionRule("address", _FLAT_NUMBER, _replace_value(ADRESSE), _compile("wohnung|whg|apartment|appartement")),
    RedactionRule("address", _PLACE_ADJECTIVE_WITH_NUMBER, _replace_value(ADRESSE), _compile(r"er[ ][0-9]")),
    RedactionRule("address", _PLACE_WITH_HOUSE_NUMBER, _replace_street_address, _HOUSE_NUMBER_HINT),
    RedactionRule("address", _HOUSE_NUMBER_BEFORE_STREET, _replace_street_address, _compile(r"[ ]der[ ]")),
    RedactionRule("address", _HOUSE_NUMBER_AFTER_WOHN, _replace_value(ADRESSE), _compile(r"wohn")),
    RedactionRule("postal code", _POSTAL_CODE, _replace_long_number),
    RedactionRule("postal code", _POSTAL_CODE_AFTER_CITY, _replace_value(ADRESSE)),
    RedactionRule("postal code", _SPOKEN_POSTAL_CODE, _replace_value(ADRESSE)),
    RedactionRule("spoken number", _SPOKEN_NUMBER_AFTER_KEYWORD, _replace_spoken_number, _NUMBER_KEYWORD_HINT),
    RedactionRule("license plate", _SPOKEN_PLATE, KENNZEICHEN, _DIGIT_WORD_ONLY),
    RedactionRule("license plate", _PLATE_CODE_BEFORE_NUMBER, _replace_value(KENNZEICHEN), _compile(r"\[NUMMER\]")),
    RedactionRule("license plate", _SPACED_HYPHEN_PLATE, KENNZEICHEN),
    RedactionRule("license plate", _HYPHEN_PLATE_SPOKEN, KENNZEICHEN, _compile("[–-]")),
    RedactionRule("license plate", _PLATE_AFTER_VEHICLE, _replace_value(KENNZEICHEN), _VEHICLE),
    RedactionRule("license plate", _SPOKEN_PLATE_AFTER_VEHICLE, _replace_value(KENNZEICHEN), _VEHICLE),
    RedactionRule("license plate", _SPOKEN_PLATE_WITH_NUMBER, KENNZEICHEN, _SPOKEN_NUMBER_ABOVE_NINE),
    RedactionRule("license plate", _SHORT_PLATE, KENNZEICHEN, _compile(r"[a-z][ ]?[1-9]")),
    RedactionRule("date of birth", _PERSON_FROM_YEAR, _replace_person_from_year, _compile(r"[ ](?:von|aus)[ ]")),
    RedactionRule("date of birth", _YEAR_OF_BIRTH_WORDS, GEBURTSDATUM, _compile(r"neunzehn|ziger|geboren")),
    RedactionRule("phone", _PHONE, _replace_phone),
    RedactionRule("spelled digits", _SPELLED_DIGITS, _replace_spelled_digits),
    RedactionRule("tax id", _TAX_ID, STEUER_ID),
    RedactionRule("id document", _ID_DOCUMENT_SERIAL, AUSWEISNR),
    RedactionRule("pension insurance", _PENSION_INSURANCE_NUMBER, NUMMER),
    RedactionRule("health insurance", _HEALTH_INSURANCE_NUMBER, NUMMER),
    RedactionRule("licence", _LICENCE_NUMBER, AUSWEISNR, _compile(r"[a-z][0-9]{4}|[0-9]{4}[a-z]")),
    RedactionRule("license plate", _TYPED_PLATE, KENNZEICHEN),
    RedactionRule("license plate", _REGIONAL_PLATE, KENNZEICHEN, _LETTER_THEN_THREE_DIGITS),
    RedactionRule("name", _NAME_AFTER_INTRO, _replace_name_unless_a_pet),
    RedactionRule("name", _NAME_AFTER_ADDRESS, _replace_name(), _FORM_OF_ADDRESS),
    RedactionRule("name", _NAME_AFTER_HIER_IST, _replace_place_checked_name, _HIER_IST),
    RedactionRule("name", _NAME_AFTER_BARE_HIER, _replace_place_checked_name, _HIER_IST),
    RedactionRule("name", _NAME_BEFORE_AM_APPARAT, _replace_place_checked_name, _AM_APPARAT),
    RedactionRule("name", _NAME_BEFORE_HIER, _replace_place_checked_name, _compile(r"hier|name|apparat")),
    RedactionRule("name", _NAME_BEFORE_IS_MY_NAME, _replace_name(), _IS_MY_NAME),
    RedactionRule("name", _NAME_AFTER_PERSON_VON, _replace_place_checked_name, _compile(r"[ ]von[ ]")),
    RedactionRule("name", _ICH_BIN, _replace_name(), _compile(r"i(?:s)?ch[ ]+bin|hier[ ]+is")),
    RedactionRule("name", _NAME_AFTER_ICH_BIN_AT_START, _replace_place_checked_name, _compile(r"i(?:s)?ch[ ]+bin")),
    RedactionRule(
        "name",
        _NAME_BEFORE_MY_NAME_AT_END,
        _replace_name(),
        # The pattern's own end ("… mein name" as the last words of a clause): its long name test at
        # every word start runs only when the text has it.
        _compile(r"mein[ ]+(?:vor|nach|familien)?name(?=[ ]*(?:$|[.,;!?]))"),
    ),
    RedactionRule("spelled name", _HYPHEN_SPELLED_NAME, _replace_name(), _compile(r"(?<![\w])\w[–-]\w[–-]")),
    RedactionRule("spelled", _SPELLED_RUN, _replace_spelled_run, _SPELLING_OR_DIGIT_WORD),
    RedactionRule("spelled name", _SPELLED_LETTERS, _replace_spelled_letters, _SPELLED_HINT),
    RedactionRule("spelled name", _SPELLED_LETTER_NAMES, _replace_spelled_letter_names, _compile(rf"{_LETTER}[ ,]")),
    RedactionRule("code", _ALPHANUMERIC_CODE, NUMMER, _HAS_LETTER_AND_DIGIT),
    RedactionRule("code", _DASHED_CODE, _replace_dashed_code, _DASH_BETWEEN),
    RedactionRule("name", _NAME_AT_START, _replace_place_checked_name),
    RedactionRule("name", _NAME_SAID_TWICE, _replace_place_checked_name, _compile(r",|[ ]mit[ ]")),
    RedactionRule("name", _NAME_WITH_A_RIDDLE, _replace_name_with_a_riddle, _compile(r"[ ,]wie[ ]")),
    RedactionRule("name", _NAME_ON_DOORBELL, _replace_place_checked_name, _compile(_DOORBELL)),
    RedactionRule("name", _NAME_AFTER_DOORBELL, _replace_place_checked_name, _compile(_DOORBELL)),
    RedactionRule("name", _NAME_AFTER_GREETING, _replace_place_checked_name),
    RedactionRule("name", _NAME_AFTER_RELATIVE, _replace_name()),
    RedactionRule("name", _NAME_AFTER_MY_RELATIVE, _replace_place_checked_name, _compile(r"[ ]*,")),
    RedactionRule(
        "name", _NAME_AFTER_MY_RELATIVE_AND_ARTICLE, _replace_name_after_relative_and_article, _compile(r",[ ]*d")
    ),
    RedactionRule("name", _NAME_BEFORE_VERB_AFTER_MY_RELATIVE, _replace_place_checked_name, _compile(r"mein|unser")),
    RedactionRule("name", _NAME_AND_NAME, _replace_place_checked_name, _compile(r"\[NAME\][ ]+und[ ]")),
    RedactionRule("name", _NAME_AFTER_HESITATION, _replace_name(), _compile(r"\[NAME\][ ,]+(?:äh|öh|ehm|hm)")),
    RedactionRule("name", _NAME_BEFORE_AND_NAME, _replace_place_checked_name, _compile(r"[ ]und[ ]+\[NAME\]")),
    RedactionRule("name", _NAME_AROUND_A_NAME, _replace_name_around_a_name, _compile(r"\[NAME\][ ,]+\w")),
    RedactionRule("name", _FIRST_NAME_AFTER_SURNAME, _replace_first_name_after_surname, _compile(r"\[NAME\][ ]*,")),
    RedactionRule("name", _FIRST_NAME_BEFORE_REPEATED_SURNAME, _replace_name(), _compile(r"\[NAME\][ ]*,")),
    RedactionRule("name", _NAME_AFTER_ICH_MEIN, _replace_name(), _compile(r"ich[ ]+mein")),
    RedactionRule("name", _INITIALS_AND_NAME, _replace_initials_and_name, _compile(r"(?<![\w])\w\.[ ]?\w\.")),
    RedactionRule("address", _NUMBER_AFTER_ADDRESS, _replace_number_after_address, _compile(r"\[ADRESSE\]")),
    RedactionRule(
        "address", _STREET_OF_A_PERSON, _replace_value(ADRESSE), _compile(r"\[NAME\]|frau|herr|famil|nachb|leute")
    ),
    RedactionRule("number", _LONG_NUMBER, _replace_long_number),
)

# Rules that continue from a name placeholder, and those that look for a person named before an age or a date.
_RULES_AFTER_NAMES = (
    *(
        r
        for r in GERMAN_RULES
        if r.pattern
        in (
            _NAME_AND_NAME,
            _NAME_AFTER_HESITATION,
            _STREET_OF_A_PERSON,
            _NAME_AROUND_A_NAME,
            _FIRST_NAME_AFTER_SURNAME,
            _FIRST_NAME_BEFORE_REPEATED_SURNAME,
            _NAME_BEFORE_AND_NAME,
            _DATE_OF_DEATH,
            _YEAR_OF_DEATH,
            _AGE_AT_DEATH,
            _AGE_TURNED,
            _AGE_TO_COME,
            _AGE_AFTER_SUBJECT,
            _AGE_YEARS_OLD,
            _BIRTHDAY_WITH_AGE,
            _AGE_AFTER_NAME,
            _AGE_OF,
            _AGE_BIRTHDAY,
            _CHILDS_SCHOOL,
            _GROUP_AFTER_SCHOOL,
            _NATIONALITY,
            _STAY_IN_CARE,
            _BIRTHPLACE,
            _FLOOR,
            _HOUSE_OF_A_PERSON,
        )
    ),
    # After the names, so that "ich bin die lehrerin von mats" reads "… von [NAME]" (no employer).
    RedactionRule("workplace", _WORKPLACE, _replace_workplace, _WORKPLACE_HINT),
)

# A replacement can, rarely, join text into something a rule matches; a few passes reach a fixed point.
_MAX_PASSES = 4


_NAME_PART = re.compile(rf"{_LETTER}[\w'’-]{{2,40}}")
_FUNCTION_WORD = _compile(rf"{_FUNCTION_WORDS}")


_MIN_NAME_FOR_ENDINGS = 5  # letters a found name needs before other words ending differently count as it


def _without_repeated_names(text: str, names: list[str]) -> str:
    """A name found once ("mein name ist weber") is removed wherever else it occurs ("weber mit e"), also with
    a genitive or plural "s" ("webers antrag", "die webers") and, from five letters on, with one or two more
    letters (a slip or a misspelling said aloud: "fischer mit zwei s, fischerss")."""
    spelled: set[str] = getattr(_FOUND_NAMES, "spelled", set())
    parts = {
        p.lower()
        for name in names
        for p in _NAME_PART.findall(name)
        if not _FUNCTION_WORD.fullmatch(p) or p.lower() in spelled
    }
    for part in sorted(parts, key=len, reverse=True):
        ending = r"(?:s|['’]s|[a-zäöüß]{1,2})?" if len(part) >= _MIN_NAME_FOR_ENDINGS else r"(?:s|['’]s)?"
        text = re.sub(rf"(?<![\w-]){re.escape(part)}{ending}(?![\w-])", NAME, text, flags=re.IGNORECASE)
    return text


# ---- names without a cue word: the first-name gazetteer -----------------------------------------------
"""A word of the first-name gazetteer (``assistant.privacy.names``: common first names of Germany, Turkey,
Poland, the Arab countries, Italy, the Balkans, ..., less ordinary German words) is a name wherever it
stands, and so is the word right after it (the surname: "agnieszka nowak", "Mehmet Yılmaz") unless
that word is a function word, a stop word or a placeholder.
"""
_ANY_WORD = re.compile(rf"(?<![\w\[-]){_LETTER}[\w'’-]{{1,40}}(?![\w\]])")
# Where any known first name counts, also one that is an ordinary word ("mein mann horst", "ich bin die rose").
_NAME_POSITION = _compile(rf"(?:{_RELATIVE}|i(?:s)?ch[ ]+bin|hier[ ]+ist?)(?:[ ]+(?:der|die))?[ ]+$")
_NAME_POSITION_WINDOW = 40
# Surnames in no list but with an ending no German word has: Slavic, Turkish, Greek, Romanian, Georgian
# and Ukrainian endings, and Westphalian "-hoff", "-kötter", "-brink", "-meier"/"-meyer" ("wawrzyniak" has
# none; "pieczonka" none; "szczepańczyk", "terhoff", "oppenkötter" have).
_SURNAME_ENDINGS = (
    "ski", "ska", "sky", "czyk", "czak", "wicz", "ović", "ovic", "vić", "oğlu", "oglu", "escu", "poulos", "akis",
    "enko", "chuk", "shvili", "hoff", "kötter", "brink", "meier", "meyer", "maier", "mayer",
)  # fmt: skip
_MIN_SURNAME_STEM = 3  # letters before the ending
_NOT_A_SURNAME_SHAPE = frozenset(
    ("wasserski", "jetski", "langlaufski", "abfahrtski", "whisky", "kautschuk", "biedermeier", "schlaumeier")
)
# A listed word right after a number is a unit or a thing counted, not a surname ("fünf kubik").
_AFTER_A_NUMBER = _compile(rf"(?:[0-9]|(?<![\w]){_SPOKEN_1_TO_99}|null|zwo|hundert|tausend)[ ]$")


# A listed word is no person's name after an indefinite article ("hab nen wolf gesehen"), after "marke"
# ("Marke Kalkhoff") or as a pet's name ("der hund heißt bello").
_PET = _words("hund", "hündin", "katze", "kater", "pferd", "hase", "vogel", "sittich", "papagei", "hamster", "welpe")
_NOT_A_PERSON_BEFORE = _compile(
    rf"(?<![\w])(?:(?:ein|eine|einen|einem|einer|nen|ne|n|kein|keine|keinen|marke|hersteller|modell|typ|st\.?|sankt"
    rf"|hl\.|heilige[nr]?)"
    rf"|{_PET}[ ]+(?:heißt|heisst|hieß|namens)|hört[ ]+auf(?:[ ]+den[ ]+namen)?)[ ]+$"
)
# A person's name before an institution's word names a public place ("josef albers museum", "ernst-moritz-arndt
# grundschule", "karl lehr straße" without a house number): routing needs it, and it is nobody's personal data.
_INSTITUTION_AFTER = _compile(
    rf"(?:[ -]+{_NOT_A_FUNCTION_WORD}{_LETTER}[\w'-]{{1,40}})?"
    rf"[ -]+(?:[\w]*(?:museum|halle|stiftung|schule|gymnasium|straße|strasse|str\."
    r"|platz|allee|klinik|krankenhaus|hospital|stadion|bibliothek|kolleg|institut|akademie|universität|kaserne"
    r"|siedlung|preis|brücke|kirche|zentrum|center|bad)|haus)(?![\w])"
)
# Arabic surnames joined to their article: "al-masri", "el-sayed", "abu-bakr", "ibn-saud".
_ARTICLE_SURNAME = re.compile(r"(?:al|el|ul|abu|abd|ibn|bin|bint|ben)-[^\W\d_]{3,30}")


_DECADE = _compile(_NOT_A_DECADE.removeprefix("(?!").removesuffix(r"(?![\w'’-]))"))


# A name said of anybody is nobody's: "wenn man schmitz heißt", "wer müller heißt, …".
_ANYBODY_BEFORE = _compile(r"(?<![\w])(?:man|jemand|wer|einer|eine)[ ]+$")
_HEISST_AFTER = _compile(r"[ ]+hei(?:ß|ss)t(?![\w])")


def _a_name_in_general(text: str, match: re.Match[str]) -> bool:
    return (
        _ANYBODY_BEFORE.search(text, max(0, match.start() - 10), match.start()) is not None
        and _HEISST_AFTER.match(text, match.end()) is not None
    )


def _is_ordinary(word: str) -> bool:
    lowered = word.lower()
    return (
        lowered in STOPWORDS
        or _FUNCTION_WORD.fullmatch(lowered) is not None
        or lowered in _NUMBER_WORDS
        or _DECADE.fullmatch(lowered) is not None  # "ein kind der siebziger"
    )


_NUMBER_WORDS = frozenset(
    [
        "null",
        "eins",
        "zwei",
        "zwo",
        "drei",
        "vier",
        "fünf",
        "sechs",
        "sieben",
        "acht",
        "neun",
        "zehn",
        "elf",
        "zwölf",
        "hundert",
        "tausend",
        "wie",
    ]
)


def _has_surname_shape(word: str) -> bool:
    if _ARTICLE_SURNAME.fullmatch(word):
        return True
    return (
        word.endswith(_SURNAME_ENDINGS)
        and len(word) >= _MIN_SURNAME_STEM + 3
        and word.isalpha()
        and word not in _NOT_A_SURNAME_SHAPE
        and word not in PLACE_NAMES
    )


# A word in no list after a first name, ending in "-t" and followed by an article or a preposition, is the
# verb ("die kleine emma besucht die kita", "jonas geht in die …"), not the surname.
_ARTICLE_OR_PREPOSITION_AFTER = _compile(
    r"[ ]+(?:die|der|das|den|dem|ein|eine|einen|einem|inne|auf|in|ins|zur|zum|nach|mit|bei|von|vom|aus|nicht|nich"
    r"|schon|jetzt|jetz|gerade|heute|morgen|gestern|immer|seit|noch|auch)(?![\w])"
)


def _is_a_verb_after_a_name(word: str, text: str, end: int) -> bool:
    return word.lower().endswith("t") and _ARTICLE_OR_PREPOSITION_AFTER.match(text, end) is not None


def _redact_gazetteer_names(text: str, found: list[str]) -> str:
    names, first_names = gazetteer_names(), gazetteer_first_names()
    all_first_names = gazetteer_first_names(apply_exclusions=False)
    spans: list[tuple[int, int]] = []
    after_name_end = -1  # end of the last word taken from the gazetteer (not of a surname taken after it)
    found_lower = {name.lower() for name in found}
    for match in _ANY_WORD.finditer(text):
        word = match.group(0)
        if _is_ordinary(word):
            after_name_end = -1
            continue
        parts = word.lower().split("-")
        window_start = max(0, match.start() - _NAME_POSITION_WINDOW)
        if (
            _NOT_A_PERSON_BEFORE.search(text, window_start, match.start())
            or _INSTITUTION_AFTER.match(text, match.end())
            or _names_a_pet(text, match.start())
            or _a_name_in_general(text, match)
        ):
            after_name_end = -1
            continue
        listed = (
            all(p in names or _has_surname_shape(p) for p in parts)
            or _has_surname_shape(word.lower())
            # Double first names: "hans-jürgen", "karl-heinz" (one part may be an ordinary word alone).
            or (len(parts) > 1 and all(p in all_first_names for p in parts) and any(p in names for p in parts))
        ) and not _AFTER_A_NUMBER.search(text, window_start, match.start())
        known = listed or (
            all(p in all_first_names for p in parts)
            and _NAME_POSITION.search(text, window_start, match.start()) is not None
        )
        # A first name said again ("ich bin horst, horst dembowski") is known too, and the word after it is
        # its surname.
        repeated = word.lower() in found_lower
        known = known or repeated
        follows_name = after_name_end >= 0 and not text[after_name_end : match.start()].strip()
        if follows_name and not known and _is_a_verb_after_a_name(word, text, match.end()):
            follows_name = False
        if known or follows_name:
            spans.append(match.span())
            found.append(word)
            found_lower.add(word.lower())
        # Only a first name is followed by its surname ("agnieszka nowak"); after a surname comes the sentence.
        first_name = listed and (
            all(p in first_names for p in parts) or (len(parts) > 1 and all(p in all_first_names for p in parts))
        )
        after_name_end = match.end() if (first_name or repeated) and not follows_name else -1
    for start, end in reversed(spans):
        text = text[:start] + NAME + text[end:]
    return text


# ---- typographic variants --------------------------------------------------------------------------------
"""Writers and speech recognizers use many dashes and spaces: en and em dashes, non-breaking hyphens, the
minus sign, non-breaking and thin spaces ("DIN–W 300 H", "OB‑ÄR 77", "0171–5583920"), and digits said one
by one joined by hyphens ("null-zwei-null-vier-eins, sechs-acht-vier"). The rules see a view of the text in
which each of these is one ASCII hyphen or space (character for character, so nothing shifts); what no rule
changed is given back in its original characters.
"""
_SEPARATOR_VARIANTS = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "),
    }
)
_HYPHENED_DIGIT_WORDS = _compile(
    rf"(?<![\w-])(?:{_SPOKEN_1_TO_99}|null|zwo)(?:-(?:{_SPOKEN_1_TO_99}|null|zwo)){{2,}}(?![\w-])"
)
# Groups of spoken digits set apart by a spaced dash: "null zwei null drei – vier vier eins" reads as a comma.
_DASH_BETWEEN_SPOKEN_DIGITS = _compile(
    rf"(?<![\w-])(?P<digits>{_SPOKEN_1_TO_99}|null|zwo)[ ]-[ ](?=(?:{_SPOKEN_1_TO_99}|null|zwo)(?![\w-]))"
)
_MAX_RESTORED_LENGTH = 4000  # longer texts keep the view's separators where something was removed


def _separator_view(text: str) -> str:
    view = text.translate(_SEPARATOR_VARIANTS)
    if "-" not in view:
        return view
    view = _HYPHENED_DIGIT_WORDS.sub(lambda m: m.group(0).replace("-", " "), view)
    return _DASH_BETWEEN_SPOKEN_DIGITS.sub(lambda m: m.group("digits") + " , ", view)


def _with_original_separators(original: str, view: str, redacted: str) -> str:
    """``redacted`` (made from ``view``) with the original characters wherever the rules left the view alone."""
    if view == original or len(view) > _MAX_RESTORED_LENGTH:
        return redacted
    if redacted == view:
        return original
    matcher = difflib.SequenceMatcher(None, view, redacted, autojunk=False)
    return "".join(
        original[i1:i2] if tag == "equal" else redacted[j1:j2] for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    )


class GermanRedactor:
    """Replaces personal data in German call transcripts with bracketed placeholders (see ``PLACEHOLDERS``).

    The rules run in a fixed order, most specific first: e-mail and IBAN before any digit rule, keyword
    numbers before bare ones, dates before phone numbers, the five-digit safety net last among the rules,
    then the name gazetteer over what is left.
    """

    def __init__(self) -> None:
        self._rules = GERMAN_RULES
        # Read the name lists now (about half a second, once per process), not on the first utterance.
        gazetteer_names()
        gazetteer_first_names(apply_exclusions=False)

    def redact(self, text: str) -> str:
        view = _separator_view(text)
        return _with_original_separators(text, view, self._redact_view(view))

    def _redact_view(self, text: str) -> str:
        _FOUND_NAMES.names = []
        _FOUND_NAMES.spelled = set()
        try:
            result = text
            for _ in range(_MAX_PASSES):
                redacted = self._apply_rules(result)
                if redacted == result:
                    break
                result = redacted
            result = _redact_gazetteer_names(result, _FOUND_NAMES.names)
            result = _without_repeated_names(result, _FOUND_NAMES.names)
            # Rules that continue from a name placeholder ("[NAME] und kunz") see the gazetteer's names too.
            for _ in range(_MAX_PASSES):
                redacted = _apply(_RULES_AFTER_NAMES, result)
                if redacted == result:
                    break
                result = _without_repeated_names(redacted, _FOUND_NAMES.names)
            return result
        finally:
            _FOUND_NAMES.names = None
            _FOUND_NAMES.spelled = set()

    def _apply_rules(self, text: str) -> str:
        return _apply(self._rules, text)


def _apply(rules: tuple[RedactionRule, ...], text: str) -> str:
    for rule in rules:
        if rule.trigger is None or rule.trigger.search(text):
            text = rule.pattern.sub(rule.replacement, text)
    return text
