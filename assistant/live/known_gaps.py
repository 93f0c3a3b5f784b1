"""The knowledge folder's known gaps (``corpus.known_gaps``) as the suggestion engine uses them: how like
a caller's concern the likest matter the team knows is not covered is."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from assistant.live.answer_extraction import AnswerExtractor, LikeExample, TokenProfile
from corpus.knowledge_base import KnowledgeBase
from corpus.known_gaps import KnownGap


class KnownGaps:
    """Known gaps with their token profiles (the extractor's analyzer and inverse document frequencies:
    built again with a new index), held as one sparse matrix of unit rows by token, so a concern is
    compared with all of them in one product (0.45 ms a turn with the demo's 102 gaps compared one by
    one, in Python; round 14)."""

    def __init__(self, extractor: AnswerExtractor, gaps: Sequence[KnownGap] = ()) -> None:
        profiles = [(gap.city, extractor.profile(gap.question)) for gap in gaps]
        profiles = [(city, profile) for city, profile in profiles if profile.norm > 0]
        self._cities = [city for city, _ in profiles]
        self._columns: dict[str, int] = {}
        rows, columns, values = [], [], []
        for row, (_, profile) in enumerate(profiles):
            for token, weight in profile.weights.items():
                rows.append(row)
                columns.append(self._columns.setdefault(token, len(self._columns)))
                values.append(weight / profile.norm)
        # By token: a concern's tokens pick their rows, whose weighted sum is every gap's likeness.
        self._by_token = sparse.csr_matrix(
            (np.asarray(values, dtype=np.float64), (columns, rows)), shape=(len(self._columns), len(profiles))
        )

    def __len__(self) -> int:
        return len(self._cities)

    def likeness(self, city: str, concern: TokenProfile) -> float:
        """How like ``concern`` the likest known gap of ``city`` (or of every city) is; 0 when none."""
        if not self._cities or concern.norm <= 0:
            return 0.0
        shared = [(self._columns[t], w) for t, w in concern.weights.items() if t in self._columns]
        if not shared:
            return 0.0
        columns, weights = zip(*shared, strict=True)
        scores = self._by_token[list(columns)].T @ np.asarray(weights) / concern.norm
        return max(
            (float(score) for score, where in zip(scores, self._cities, strict=True) if where is None or where == city),
            default=0.0,
        )


def answered_like(
    extractor: AnswerExtractor, knowledge: KnowledgeBase, gap: KnownGap, at_least: float, limit: int = 3
) -> list[LikeExample]:
    """The check of a known gap: the questions that published articles of its city (and the common ones;
    every article for a gap of every city) answered before, the extractor's answer examples and answer
    marks, that are at least ``at_least`` like the gap (the engine's ``gap_likeness``), likest first. Such
    an article may answer the matter after all; the gap would also keep the article's like concerns from
    an 'answer' card unless they resemble its examples more."""
    articles = knowledge.in_city(gap.city) if gap.city is not None else knowledge.published
    return extractor.like_examples(gap.question, [a.id for a in articles], at_least, limit)
