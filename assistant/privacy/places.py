"""Place names callers of the served cities say all the time: never a person's name.

The districts of Duisburg, Bottrop and Dinslaken and the towns and cities around them, lower-cased.
Some are also surnames ("Buchholz", "Emmerich", "Kamp"); the redactor keeps them wherever they stand
and never takes them for the name in a name position ("hallo, hamborn hier" stays a place).
"""

from __future__ import annotations

PLACE_NAMES: frozenset[str] = frozenset(
    (
        # Duisburg
        "altstadt", "neuenkamp", "kaßlerfeld", "duissern", "neudorf", "dellviertel", "hochfeld", "wanheimerort",
        "ruhrort", "homberg", "hochheide", "baerl", "beeck", "beeckerwerth", "laar", "meiderich",
        "untermeiderich", "mittelmeiderich", "obermeiderich", "bruckhausen", "marxloh", "obermarxloh", "neumühl",
        "hamborn", "fahrn", "röttgersbach", "aldenrade", "wehofen", "overbruch", "vierlinden", "walsum",
        "bergheim", "rheinhausen", "rumeln", "kaldenhausen", "friemersheim", "hochemmerich", "asterlagen",
        "huckingen", "hüttenheim", "buchholz", "wedau", "bissingheim", "wanheim", "angerhausen", "großenbaum",
        "rahm", "ungelsheim", "mündelheim", "serm", "innenhafen", "landschaftspark",
        # Bottrop
        "batenbrock", "boy", "eigen", "fuhlenbrock", "grafenwald", "kirchhellen", "feldhausen", "ebel",
        "lehmkuhle", "vonderort", "welheim", "overhagen", "holthausen", "tetraeder", "prosper",
        # Dinslaken
        "averbruch", "bruch", "eppinghoven", "hiesfeld", "lohberg", "oberlohberg", "barmingholten", "feldmark",
        "hagenbeck",
        # towns and cities around
        "oberhausen", "sterkrade", "osterfeld", "mülheim", "essen", "gelsenkirchen", "gladbeck", "dorsten",
        "moers", "wesel", "voerde", "hünxe", "schermbeck", "kamp", "lintfort", "rheinberg", "xanten",
        "emmerich", "kleve", "bocholt", "borken", "herne", "bochum", "dortmund", "münster", "düsseldorf",
        "krefeld", "neuss", "ratingen", "kettwig", "borbeck", "altenessen", "karnap", "recklinghausen",
        "marl", "haltern", "wolfsburg", "duisburg", "bottrop", "dinslaken",
    )
)  # fmt: skip
