"""Whether a caller turn opens a new concern without saying so ("dat alte sofa muss auch noch raus"
after questions about the dog tax): a logistic model over what the turn alone finds lexically,
against what the current concern holds.

The features come from the turn's own lexical ranking (no forward pass of the encoder): how strongly
and how clearly it points at one article, whether the concern already holds that article, where the
concern's leading article ranks for the turn, how much of the turn's distinctive words either article
uses, how many content words the turn carries, whether it asks for a kind of answer (a follow-up
question about the same matter), and how long the concern has run. Its weights live in
``topic_change.json`` next to this module, fitted on the labeled concerns of the tuning calls with
``souffleur eval calibrate-topics`` (the file records the command and the sets). A cue ("noch eine
andere Frage") opens a new concern without the model.
"""

from __future__ import annotations

import math
from pathlib import Path

from assistant.live.concern_confidence import LogisticModel, load_logistic_model

DEFAULT_TOPIC_FILE = Path(__file__).with_name("topic_change.json")
TOPIC_FEATURES = (
    "top_held",
    "top_strength",
    "top_margin",
    "leader_rank",
    "leader_coverage",
    "top_coverage",
    "content_words",
    "asks_kind",
    "concern_turns",
)
# Used only when the weights file is missing: a turn changes the concern only with a cue.
NEVER = LogisticModel(bias=-20.0, weights={}, note="no topic-change model: only cues change the concern")


def load_topic_change(path: Path | None = None) -> LogisticModel:
    """The fitted topic-change model from ``path`` (default: the file next to this module)."""
    return load_logistic_model(path or DEFAULT_TOPIC_FILE, TOPIC_FEATURES, NEVER, "topic-change model")


def topic_features(
    lexical: list[tuple[str, float]],
    held: set[str],
    leader: str | None,
    leader_coverage: float,
    top_coverage: float,
    content_words: int,
    asks_kind: bool,
    concern_turns: int,
) -> dict[str, float]:
    """The model's features for one turn. ``lexical``: the turn's lexical ranking, best first, as
    (article, strength); ``held``: the articles the concern holds; ``leader``: its leading article."""
    top, strength = lexical[0] if lexical else (None, 0.0)
    second = lexical[1][1] if len(lexical) > 1 else 0.0
    ranks = {article: rank for rank, (article, _) in enumerate(lexical, start=1)}
    return {
        "top_held": float(top in held),
        "top_strength": strength,
        "top_margin": (strength - second) / strength if strength > 0 else 0.0,
        "leader_rank": 1.0 / ranks[leader] if leader in ranks else 0.0,
        "leader_coverage": leader_coverage,
        "top_coverage": top_coverage,
        "content_words": math.log1p(content_words),
        "asks_kind": float(asks_kind),
        "concern_turns": math.log1p(concern_turns),
    }
