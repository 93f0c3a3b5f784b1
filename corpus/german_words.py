"""German word lists: function words, fillers, greetings and the other words that name no concern.

One place for every list of German words the project uses. Each word is written once, in one named group;
the sets the other modules import are unions of groups, one per use:

- ``STOPWORDS``: what lexical search drops (``embeddings.index.text_analysis``);
- ``CONVERSATION_WORDS``: words of the conversation itself (``assistant.live.utterance_analysis``);
- ``FILLER_WORDS``: words that never label a topic (``assistant.gaps.labels``);
- ``NOT_A_TOPIC``: words that never name a topic of the gaps report, with the nouns of a call's
  circumstances (``CONTEXT_NOUNS``; ``assistant.gaps.labels``);
- ``NOT_IN_NAMES``: words that are never part of a name or a street (``assistant.privacy.redaction``);
- ``NOT_THE_MATTER``: people and roles, days and the weather, generic places ("Haus", "Hof") and
  spoken words a tagger takes for nouns ("sowat"), which a topic label names only after the matter, and verbs too
  light to say what is to be done (``assistant.gaps.labels``; unlike ``NOT_A_TOPIC`` they still count
  when topics are grouped).
"""

from __future__ import annotations

# Articles, pronouns, prepositions, conjunctions and auxiliaries.
FUNCTION_WORDS = frozenset(
    {
        "aber", "am", "an", "ans", "auch", "auf", "aus", "bei", "beim", "bin", "bis", "bist", "da", "das",
        "dem", "den", "der", "des", "die", "du", "durch", "eben", "ein", "eine", "einem", "einen", "eines",
        "er", "es", "etwas", "für", "gegen", "hatte", "ich", "ihm", "ihn", "ihr", "ihre", "im", "in", "ins",
        "ist", "kein", "keine", "können", "mal", "man", "meinem", "meiner", "mich", "mir", "mit", "nach",
        "nicht", "nichts", "nur", "ob", "oder", "ohne", "sehr", "sein", "seine", "sie", "sind", "so", "um",
        "und", "uns", "unter", "vom", "von", "vor", "war", "waren", "was", "weil", "wenn", "wer", "wie", "wir",
        "wird", "wo", "zu", "zum", "zur", "über"
    }
)  # fmt: skip

# Yes and no, please and thanks, hello, hesitation sounds.
COURTESY_WORDS = frozenset(
    {
        "bitte", "danke", "gerne", "guten", "hallo", "hm", "ja", "nein", "ok", "okay", "tag", "äh"
    }
)  # fmt: skip

# Particles, modal verbs and possessives no spoken use keeps.
PARTICLES_AND_MODALS = frozenset(
    {
        "also", "dass", "denn", "doch", "dort", "einer", "genau", "haben", "hat", "hier", "jetzt", "kann",
        "mein", "meine", "meinen", "muss", "noch", "schon", "soll", "unser", "will", "ähm"
    }
)  # fmt: skip

# Auxiliaries of the conversation itself ("ich hab ne Frage", "alles klar").
CONVERSATION_AUXILIARIES = frozenset(
    {
        "alles", "hab", "habe", "würde"
    }
)  # fmt: skip

# Function words that are also spoken fillers.
FILLER_FUNCTION_WORDS = frozenset(
    {
        "dann", "dies", "eigentlich"
    }
)  # fmt: skip

# Demonstratives, Ruhr dialect (getz), hedges and hesitation sounds.
SEARCH_FUNCTION_WORDS = frozenset(
    {
        "alle", "allem", "allen", "aller", "damit", "dessen", "diese", "diesem", "diesen", "dieser", "dieses",
        "einfach", "euch", "getz", "gewesen", "gut", "halt", "hin", "hmm", "irgendwie", "mhm", "na", "nee",
        "nun", "quasi", "schön", "sich", "sozusagen", "wieder", "öh"
    }
)  # fmt: skip

# Greetings and farewells that can never be part of a name.
GREETINGS = frozenset(
    {
        "abend", "gern", "hätte", "kurz", "moin", "möchte", "tschüss"
    }
)  # fmt: skip

# Greetings, thanks, acknowledgements and phrases of asking, also in English and Turkish.
ACKNOWLEDGEMENTS = frozenset(
    {
        "allet", "alright", "anliegen", "dank", "dankeschoen", "dankeschön", "erstmal", "frag", "gehört",
        "gott", "gruess", "grüß", "haette", "hallöchen", "hello", "höre", "hören", "jut", "klar", "kurze",
        "merhaba", "mittag", "moechte", "moment", "ordnung", "perfekt", "prima", "sage", "schoenen", "schönen",
        "sekunde", "servus", "spreche", "sprechen", "super", "tamam", "thank", "thanks", "toll", "tschuess",
        "verstanden", "vielen", "wiederhören", "wiederschauen", "wunderbar", "you"
    }
)  # fmt: skip

# Words of asking and knowing that name no concern.
ASKING_WORDS = frozenset(
    {
        "dinge", "frage", "fragen", "gleich", "morgen", "richtig", "sache", "sachen", "weiß", "wollte"
    }
)  # fmt: skip

# Saying and knowing.
KNOWING_WORDS = frozenset(
    {
        "sagen", "stimmt", "weiss", "wissen", "wollt"
    }
)  # fmt: skip

# Verbs of calling, needing and getting; question words.
NEEDING_WORDS = frozenset(
    {
        "bekomme", "bekommt", "brauche", "brauchen", "braucht", "darf", "geht", "gerade", "heute", "ihnen",
        "jemand", "komme", "kommt", "könnte", "meint", "meinte", "musste", "rufen", "sagt", "seit", "sollte",
        "unsere", "viel", "wann", "warum", "wegen", "wieso", "wollen"
    }
)  # fmt: skip

# Spoken words that say nothing about the concern: verbs, dialect, particles, time words.
SPOKEN_FILLERS = frozenset(
    {
        "ach", "aha", "bekommen", "bekommst", "bestimmt", "brauch", "bzw", "darum", "deswegen", "ding",
        "drin", "dürfen", "echt", "einmal", "erreichen", "erzählt", "ganz", "gehen", "gekommen", "gekriegt",
        "gemacht", "gesehen", "gibt", "gibts", "glaub", "glaube", "grad", "ham", "hinten", "hätt", "ihrer",
        "immer", "irgendwas", "irgendwo", "isses", "keiner", "kommen", "krieg", "kriege", "kriegen", "kriegt",
        "könnten", "letzte", "letzten", "leute", "liegt", "läuft", "mache", "machen", "macht", "mehr",
        "mehrere", "mensch", "müssen", "nachher", "neulich", "niemand", "nochmal", "nummer", "nächste",
        "nächsten", "passieren", "passiert", "sehe", "selber", "selbst", "sieht", "sofort",
        "sollen", "sonst", "sowas", "stehen", "steht", "teil", "trotzdem", "unserem", "unseren", "viele",
        "vielleicht", "vorne", "wahrscheinlich", "welche", "welcher", "welches", "weshalb", "wirklich", "woche",
        "wochen", "woher", "wohin", "ziemlich", "zurück", "äähm", "überall", "übrigens"
    }
)  # fmt: skip

# Words around a name or an address: titles, offices, the demo cities, verbs of living.
NAME_CONTEXT_WORDS = frozenset(
    {
        "adresse", "als", "amt", "anschrift", "at", "benötigt", "betreffend", "bezüglich", "bürgeramt", "dein",
        "deine", "dich", "dir", "doktor", "dr", "familie", "firma", "fragt", "frau", "gehe", "gestern", "hast",
        "herr", "herrn", "ihrem", "ihren", "kam", "kannst", "konnte", "lautet", "lebe", "lebt", "mag", "minus",
        "möchten", "müsste", "nachname", "nebenan", "prof", "professor", "punkt", "ruft", "sagte", "seid",
        "sondern", "strasse", "straße", "vorname", "werde", "werden", "wohne", "wohnen", "wohnhaft", "wohnt",
        "wurde", "wäre"
    }
)  # fmt: skip


# Lexical search drops these: function words and spoken fillers that carry no topic, so that
# "äh, also, ja genau" does not dilute the lexical match of a transcript.
# Fillers of a phone call ("ich hab angerufen", "ein bisschen").
CALLING_FILLERS = frozenset(
    {
        "angerufen", "bisschen", "gesagt", "heisse", "heiße", "ruf"
    }
)  # fmt: skip

# Asking for someone on the phone ("mein Name", "ich rufe an").
CALLING_NEEDS = frozenset(
    {
        "anrufen", "name", "rufe"
    }
)  # fmt: skip

# The cities and their administration, named when a caller says where they called.
CALL_PLACES = frozenset(
    {
        "bottrop", "dinslaken", "duisburg", "stadt", "verwaltung"
    }
)  # fmt: skip

# Apologies, confusion and phone talk before the concern ("entschuldigung, ich bin durcheinander").
SMALL_TALK = frozenset(
    {
        "apparat", "aufgeregt", "bescheid", "bißchen", "durcheinander", "ehrlich", "entschuldigen",
        "entschuldigense", "entschuldigung", "freundlich", "freundliche", "gelandet", "helfen", "hilfe",
        "nervoes", "nervös", "richtige", "schoen", "sorry", "stelle", "telefon", "verbunden", "verwirrt",
        "warte", "warten", "weiter", "zustaendig", "zuständig"
    }
)  # fmt: skip

# Ruhr dialect function words ("dat", "wat", "ne"): dropped by search, never part of a name.
DIALECT_FUNCTION_WORDS = frozenset(
    {
        "dabei", "dat", "ne", "wat"
    }
)  # fmt: skip

# Spoken dialect fillers ("nich", "nix", "is"): never a topic label, never part of a name.
DIALECT_FILLERS = frozenset(
    {
        "drauf", "is", "nem", "nen", "ner", "nich", "nix"
    }
)  # fmt: skip

# Words of a correction ("falsch", "neu", "geändert"): never part of a name.
CORRECTION_WORDS = frozenset(
    {
        "anders", "egal", "falsch", "geändert", "isch", "korrekt", "neu", "unbekannt", "verkehrt", "weg"
    }
)  # fmt: skip

# Nouns of the conversation and of the caller's circumstances (family, time, measures, vague things),
# and words a tagger takes for nouns in speech ("hin und her"): they appear in every kind of call and
# never name its matter ("Frage", "Sohn", "Woche").
CONTEXT_NOUNS = frozenset(
    {
        "ahnung", "anfang", "anruf", "antwort", "april", "art", "august",
        "bruder", "dezember", "eltern", "ende", "enkel", "enkelin",
        "euro", "fall", "februar", "freund", "freundin", "frühjahr", "frühling",
        "grund", "her", "herbst", "info", "information", "jahr", "januar", "juli", "juni",
        "kind", "kinder", "kopp", "mai", "mann", "meter", "minute", "monat",
        "mutter", "mutti", "märz", "neffe", "nichte", "november", "oktober", "oma", "omma",
        "onkel", "opa", "oppa", "problem", "schwester", "schwiegereltern", "seite", "september",
        "sohn", "sommer", "spaß", "stunde", "stück", "tach", "tante",
        "tochter", "uhr", "vater", "vatter", "weise", "winter", "wochenende", "zeit",
        "zuhause"
    }
)  # fmt: skip

# People and roles around a matter ("der Gärtner sagt", "die Nachbarin", "wir sind Mieter"): callers
# name them often, but they are who is involved, not what the matter is.
PEOPLE_NOUNS = frozenset(
    {
        "anwohner", "anwohnerin", "arbeitgeber", "besitzer", "besitzerin", "chef", "chefin",
        "eigentümer", "eigentümerin", "gärtner", "gärtnerin", "handwerker", "hausmeister", "hausverwaltung",
        "kollege", "kollegin", "mama", "mieter", "mieterin", "nachbar", "nachbarin", "nachbarn", "papa",
        "beirat", "rentner", "rentnerin", "vermieter", "vermieterin", "verwalter", "vorbesitzer", "vorbesitzerin"
    }
)  # fmt: skip

# Days and the weather, small talk or the time of a matter, never the matter itself ("nächsten montag",
# "dat war ja n sturm heut nacht").
DAYS_AND_WEATHER = frozenset(
    {
        "dienstag", "dienstags", "donnerstag", "donnerstags", "freitag", "freitags", "gewitter", "mittwoch",
        "mittwochs", "montag", "montags", "nacht", "samstag", "samstags", "sonntag", "sonntags", "sturm", "unwetter",
        "wetter"
    }
)  # fmt: skip

# Where a caller lives or something happens, in general terms ("wir ham n haus gekauft", "bei uns im
# hof"): the place of a matter, rarely the matter itself.
GENERIC_PLACES = frozenset(
    {
        "ecke", "garten", "gegend", "haus", "hinterhof", "hof", "innenhof", "innenstadt", "keller", "nähe",
        "stadtteil", "straßenrand", "viertel", "wohnung"
    }
)  # fmt: skip

# Spoken words a tagger takes for nouns in lower-case transcripts ("so n riesen ast", "anner laterne",
# "wo krieg ich sowat"): never the name of a thing.
SPOKEN_NOT_NOUNS = frozenset(
    {
        "anner", "aufm", "inner", "mitm", "riesen", "sowat", "vonne"
    }
)  # fmt: skip

# Verbs too light to say what is to be done with a thing ("n kammerjäger holen", "fällen lassen").
LIGHT_VERBS = frozenset(
    {
        "finden", "geben", "gucken", "holen", "lassen", "schauen", "tun"
    }
)  # fmt: skip

STOPWORDS = (
    FUNCTION_WORDS
    | COURTESY_WORDS
    | PARTICLES_AND_MODALS
    | CONVERSATION_AUXILIARIES
    | FILLER_FUNCTION_WORDS
    | SEARCH_FUNCTION_WORDS
    | DIALECT_FUNCTION_WORDS
)

# Words of the conversation itself (greetings, politeness, "I have a question") that name no concern.
CONVERSATION_WORDS = (
    CONVERSATION_AUXILIARIES
    | GREETINGS
    | ACKNOWLEDGEMENTS
    | ASKING_WORDS
    | KNOWING_WORDS
    | CALLING_FILLERS
    | CALLING_NEEDS
    | CALL_PLACES
    | SMALL_TALK
)

# Spoken words that say nothing about the concern (verbs of asking and needing, dialect, particles):
# never the label of a topic.
FILLER_WORDS = (
    PARTICLES_AND_MODALS
    | FILLER_FUNCTION_WORDS
    | ASKING_WORDS
    | KNOWING_WORDS
    | NEEDING_WORDS
    | SPOKEN_FILLERS
    | DIALECT_FILLERS
    | CALLING_FILLERS
    | CALLING_NEEDS
)

# Words that never name a topic of the gaps report: fillers, the conversation, the words around a name
# ("Frau", "Amt") and the nouns of a call's circumstances.
NOT_A_TOPIC = STOPWORDS | CONVERSATION_WORDS | FILLER_WORDS | NAME_CONTEXT_WORDS | CONTEXT_NOUNS

# People and roles (a label names them after the matter) and light verbs (never a label's verb).
NOT_THE_MATTER = PEOPLE_NOUNS | DAYS_AND_WEATHER | GENERIC_PLACES | SPOKEN_NOT_NOUNS | LIGHT_VERBS

# Function words, common verbs and greetings: never part of a person's or a street's name.
NOT_IN_NAMES = (
    FUNCTION_WORDS
    | COURTESY_WORDS
    | PARTICLES_AND_MODALS
    | CONVERSATION_AUXILIARIES
    | GREETINGS
    | ASKING_WORDS
    | NEEDING_WORDS
    | NAME_CONTEXT_WORDS
    | CALLING_NEEDS
    | CALL_PLACES
    | DIALECT_FUNCTION_WORDS
    | DIALECT_FILLERS
    | CORRECTION_WORDS
)

# Spoken Ruhr and Lower-Rhine forms and their written German ("wat kost dat" -> "was kost das"). The
# embedding model learned written German: spoken forms in a query pull its vector away from the
# articles. Only forms that are not written German words themselves (not "musste", "hin", "ne").
SPOKEN_TO_WRITTEN = {
    "dat": "das", "datt": "das", "wat": "was", "watt": "was", "getz": "jetzt", "getzt": "jetzt",
    "gez": "jetzt", "jetz": "jetzt", "nich": "nicht", "nech": "nicht", "nix": "nichts", "is": "ist",
    "isset": "ist es", "issat": "ist das", "ham": "haben", "hamma": "haben wir", "nen": "einen",
    "nem": "einem", "ner": "einer", "n": "ein", "son": "so ein", "sone": "so eine", "sonen": "so einen",
    "inne": "in die", "anne": "an die", "auffe": "auf die", "vonne": "von der", "vonner": "von der",
    "ausm": "aus dem", "aufm": "auf dem", "inner": "in der", "anner": "an der", "mitm": "mit dem",
    "mittem": "mit dem", "nachem": "nach dem", "umme": "um die", "übern": "über den", "fürn": "für den",
    "aufn": "auf den", "et": "es", "gibbet": "gibt es", "gibtet": "gibt es", "hömma": "hör mal",
    "ma": "mal", "nochma": "noch mal", "erstma": "erst mal", "einma": "einmal", "zweima": "zweimal",
    "nee": "nein", "nä": "nein", "nö": "nein", "wech": "weg", "ebend": "eben", "hasse": "hast du",
    "haste": "hast du", "kannse": "kannst du", "kannste": "kannst du", "weiße": "weißt du",
    "weißte": "weißt du", "bisse": "bist du", "biste": "bist du", "musse": "musst du",
    "willse": "willst du", "brauchste": "brauchst du", "tach": "tag", "omma": "oma", "oppa": "opa",
    "krich": "kriege", "kricht": "kriegt", "krisse": "kriegst du", "sacht": "sagt", "sach": "sag",
    "wennse": "wenn sie", "dasse": "dass sie", "gehn": "gehen", "zwanzich": "zwanzig",
    "dreißich": "dreißig", "vierzich": "vierzig", "fuffzich": "fünfzig", "fünfzich": "fünfzig",
    "sechzich": "sechzig", "siebzich": "siebzig", "achtzich": "achtzig", "neunzich": "neunzig",
}  # fmt: skip
