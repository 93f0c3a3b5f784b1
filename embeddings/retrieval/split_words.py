"""Words that speech recognition split, joined again before a query is searched.

German compounds reach the transcript in pieces ("ein bürgern lassen", "grund steuer bescheid",
"führer schein", "geburts urkunde"). The character n-grams of the lexical index survive most splits; the
dense model does not: for "ich will mich ein bürgern lassen" it ranked the citizens' office above
naturalisation.
Two or three neighbouring words are joined when the joined word is a word of the articles ("grund steuer"
-> "grundsteuer") or, for a longer word, the start of one but for its last letter ("ein bürgern" ->
"einbürgern", as in "Einbürgerung"). Function words alone are never joined ("bei den" is no "beiden"), and
the prefix rule needs a last piece of four letters or more ("abgelaufen is" stays).
"""

from __future__ import annotations

import bisect
import itertools
import re
import threading
from collections.abc import Iterable

from cachetools import LRUCache

from corpus.german_words import STOPWORDS
from embeddings.index.text_analysis import fold

# A joined word is taken as it is when the articles use it and it has this many letters or more.
MIN_JOINED = 6
# A joined word that only starts an article's word (an inflected form) needs this many letters, and its
# last piece this many.
MIN_PREFIX_JOINED = 10
MIN_PREFIX_PIECE = 4
MAX_PIECES = 3
MAX_PASSES = 4  # each pass joins at least two words: a turn rarely needs more than two
JOINED_CACHE = 4096  # texts whose joined form is kept

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


class SplitWordJoiner:
    """Joins split compounds in a query, knowing the words of the articles."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._words = {fold(w.lower()) for w in vocabulary}
        self._sorted = sorted(self._words)
        # A caller turn is searched several times (window, gist, the turn alone; dense and lexical).
        self._joined: LRUCache[str, str] = LRUCache(maxsize=JOINED_CACHE)
        self._lock = threading.Lock()  # LRUCache is not thread-safe

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> SplitWordJoiner:
        return cls(w for text in texts for w in _WORD.findall(text))

    def join(self, text: str) -> str:
        """The text with each split compound written as one word; everything else as it was (cached)."""
        with self._lock:
            joined = self._joined.get(text)
        if joined is None:
            joined = self._join(text)
            with self._lock:
                self._joined[text] = joined
        return joined

    def _join(self, text: str) -> str:
        """``_join_once`` until nothing changes: a joined piece may join its neighbour in turn ("schwer
        behinderten aus weis" -> "schwerbehinderten ausweis" -> "schwerbehindertenausweis"), and a search
        that joins a query joined before gets the same text (the dense and the lexical side alike)."""
        for _ in range(MAX_PASSES):
            joined = self._join_once(text)
            if joined == text:
                break
            text = joined
        return text

    def _join_once(self, text: str) -> str:
        """The text with each split compound written as one word; everything else as it was."""
        matches = list(_WORD.finditer(text))
        if len(matches) < 2:
            return text
        pieces: list[str] = []
        last = 0  # end of the text already copied
        i = 0
        while i < len(matches):
            n = self._joinable(text, matches, i)
            if n > 1:
                pieces.append(text[last : matches[i].start()])
                pieces.append("".join(m.group(0) for m in matches[i : i + n]))
                last = matches[i + n - 1].end()
                i += n
            else:
                i += 1
        pieces.append(text[last:])
        return "".join(pieces)

    def _joinable(self, text: str, matches: list[re.Match[str]], start: int) -> int:
        """How many words from ``start`` on make one word of the articles (the longest; 1 when none)."""
        for n in range(min(MAX_PIECES, len(matches) - start), 1, -1):
            group = matches[start : start + n]
            # Only words separated by spaces: "perso, ausweis" is two words.
            if any(text[a.end() : b.start()].strip() for a, b in itertools.pairwise(group)):
                continue
            said = [m.group(0).lower() for m in group]
            if all(w in STOPWORDS for w in said):
                continue
            if self._known([fold(w) for w in said]):
                return n
        return 1

    def _known(self, parts: list[str]) -> bool:
        if min(len(p) for p in parts) < 2:
            return False
        joined = "".join(parts)
        if len(joined) >= MIN_JOINED and joined in self._words:
            return True
        if len(joined) < MIN_PREFIX_JOINED or len(parts[-1]) < MIN_PREFIX_PIECE:
            return False
        stem = joined[:-1]
        at = bisect.bisect_left(self._sorted, stem)
        return at < len(self._sorted) and self._sorted[at].startswith(stem)
