"""What an utterance says about the conversation: does it carry a concern, does it open a new one?"""

from __future__ import annotations

import re

from corpus.german_words import CONVERSATION_WORDS
from embeddings.index.text_analysis import words

MIN_CONTENT_CHARS = 5

_NEW_TOPIC = re.compile(
    r"\b("
    r"(noch|ganz)\s+(eine?|ne|n)\s+(andere|weitere|zweite)\s+(frage|sache|thema)"
    r"|(etwas|was|wat)\s+(ganz\s+)?(anderes|andres)"
    r"|anderes\s+thema|themawechsel"
    r"|au(ß|ss)erdem\s+(wollte|hätte|haette|möchte|moechte)"
    r"|(und|ach)\s+(dann\s+)?noch\s+(was|wat|etwas|eins)"
    r"|(wo|wenn|da)\s+ich\s+(sie|dich|euch)\s+(grad|gerade|schon|schon\s+mal|jetzt|getz)\s+(dran|am\s+telefon)(\s+habe?)?"
    r"|noch\s+(eine|ne)\s+frage"
    r"|zweitens"
    r")\b",
    re.IGNORECASE,
)


# A caller turn that ends the conversation: thanks or a goodbye at its end ("okay erst bamf dann schule
# gut danke schön", "na toll dann ruf ich da an danke trotzdem"). Its words repeat what was said or name
# the next step elsewhere; they ask for nothing.
_CLOSING = re.compile(
    r"\b(?:danke(?:\s*(?:schön|schoen|sehr|vielmals|ihnen|dir|euch|trotzdem|nochmal|noch\s*mal))*|dankeschön"
    r"|vielen\s+dank|tschüss|tschüs|tschö|tschau|ciao|wiederhören|wiederhörn|wiederschauen"
    r"|schönen\s+(?:tag|abend|sonntag|feierabend|wochenende)(?:\s+noch)?)[\s,.!]*$",
    re.IGNORECASE,
)


# Who is calling: "müller hier", "mein name ist klaus becker", "hier ist frau schmidt". Names must not
# drive retrieval (a surname like Müller matches Sperrmüll lexically).
_SELF_INTRODUCTION = re.compile(
    r"(?:mein\s+name\s+(?:ist|is)|hier\s+(?:ist|spricht)|ich\s+hei(?:ß|ss)e|ich\s+bin\s+(?:der|die))"
    r"(?:\s+(?:frau|herr|doktor|dr\.?))?\s+[\wäöüß-]+(?:\s+(?!und\b|ich\b|äh\b|aeh\b)[\wäöüß-]+(?=\s*[,.!?]|\s*$))?"
    r"|(?:frau|herr)\s+[\wäöüß-]+"
    r"|[\wäöüß-]+\s+(?:is[t]?\s+)?mein\s+name\b(?!\s+(?:ist|is|lautet|war)\b)"
    r"|(?:^|(?<=[,.!?])|(?<=\btag)|(?<=\bhallo)|(?<=\bja)|(?<=\bmorgen))\s*[\wäöüß-]+(?:\s+[\wäöüß-]+)?\s+hier"
    r"(?=\s*(?:[,.!?]|$|\bund\b|\bich\b|\bäh|\baeh|\bam\s+apparat))",
    re.IGNORECASE,
)


# A speech recognizer writes a spelled abbreviation as single letters ("w b s", "e v b nummer",
# "i k f z"): joined, they are the word the articles use ("WBS", "eVB", "i-Kfz"). A run may not start
# with "n", the spoken "ein" ("n auto", "hab n g im ausweis").
_SPELLED = re.compile(r"(?<![\wäöüß])[a-mo-zäöü](?:\s+[a-zäöü]){1,5}(?![\wäöüß])", re.IGNORECASE)


def concern_text(text: str) -> str:
    """The utterance without the parts that name the caller (self-introductions), with spelled
    abbreviations joined into one word."""
    without_names = _SELF_INTRODUCTION.sub(" ", text)
    return " ".join(_SPELLED.sub(lambda m: "".join(m.group(0).split()), without_names).split())


def content_words(text: str) -> list[str]:
    """Words that may name the caller's concern: no stop words, fillers or conversation words."""
    return [w for w in words(text) if w not in CONVERSATION_WORDS and len(w) > 2 and not w.isdigit()]


def is_meaningful(text: str) -> bool:
    """True when the utterance may carry a concern: two content words, or one of at least five letters."""
    found = content_words(text)
    return len(found) >= 2 or any(len(w) >= MIN_CONTENT_CHARS for w in found)


def opens_new_topic(text: str) -> bool:
    """Explicit cues that the caller moves on to another concern ("noch eine andere Frage")."""
    return _NEW_TOPIC.search(text) is not None


def after_cue(text: str) -> str:
    """The utterance after its last explicit cue that the caller moves on ("ach und noch was, der
    hund ..." -> "der hund ..."): the cue's words are shared by callers of every matter."""
    cues = list(_NEW_TOPIC.finditer(text))
    return text[cues[-1].end() :].strip(" ,.;:-") if cues else text


def is_closing(text: str) -> bool:
    """True when the utterance ends with thanks or a goodbye: the caller is closing the conversation."""
    return _CLOSING.search(text) is not None
