"""The knowledge folder's known gaps (``corpus.known_gaps``) as the suggestion engine uses them: how like
a caller's concern the likest matter the team knows is not covered is."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.live.answer_extraction import AnswerExtractor, TokenProfile
from corpus.known_gaps import KnownGap


class KnownGaps:
    """Known gaps with their token profiles (the extractor's analyzer and inverse document frequencies:
    built again with a new index)."""

    def __init__(self, extractor: AnswerExtractor, gaps: Sequence[KnownGap] = ()) -> None:
        self._profiles = [(gap.city, extractor.profile(gap.question)) for gap in gaps]
        self._profiles = [(city, profile) for city, profile in self._profiles if profile.weights]

    def __len__(self) -> int:
        return len(self._profiles)

    def likeness(self, city: str, concern: TokenProfile) -> float:
        """How like ``concern`` the likest known gap of ``city`` (or of every city) is; 0 when none."""
        return max(
            (profile.likeness(concern) for where, profile in self._profiles if where is None or where == city),
            default=0.0,
        )
