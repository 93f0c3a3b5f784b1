"""The purity measurement of gap topics (``eval.gaps_quality``): which matter each question belongs to,
the share of a topic's questions that belong to its majority matter, where each matter ended up."""

from __future__ import annotations

import pytest

from assistant.gaps.topics import GapTopic
from assistant.replay.call_scripts import CallScript, Concern
from eval.gaps_quality import (
    NO_MATTER,
    concern_signals,
    matter_spreads,
    question_matters,
    topic_purities,
)

TWO_CONCERNS = CallScript(
    id="d-1",
    city="duisburg",
    expected=("duisburg/anmeldung", "duisburg/abfallkalender"),
    turns=(
        ("agent", "Call Duisburg, guten Tag"),
        ("caller", "ja hallo, Müller hier"),
        ("caller", "ich bin umgezogen und muss mich ummelden"),
        ("caller", "und wann kommt die mülltonne"),
        ("caller", "danke tschüss"),
    ),
    concerns=(
        Concern(("duisburg/anmeldung",), (2,), "moved, must register"),
        Concern(("duisburg/abfallkalender",), (3,), "when is the bin emptied"),
    ),
)
UNCOVERED = CallScript(
    id="d-2",
    city="duisburg",
    expected=(),
    turns=(("caller", "bei uns im hof sind ratten"), ("caller", "wer bekämpft die ratten")),
    concerns=(Concern((), (0, 1), "rats in the backyard"),),
)


def redact(text: str) -> str:
    return text.replace("Müller", "[NAME]")


def topic(questions: list[tuple[str, str]], city: str = "duisburg") -> GapTopic:
    calls = sorted({c for c, _ in questions})
    return GapTopic("t", city, "Label", [], len(calls), 1.0, "unanswered", {}, [], [], questions=questions)


@pytest.mark.unit
def test_each_stored_question_is_mapped_to_its_concerns_matter() -> None:
    matters = question_matters(TWO_CONCERNS, redact)
    assert matters["ja hallo, [NAME] hier"] == NO_MATTER, "greetings belong to no matter, matched redacted"
    assert matters["ich bin umgezogen und muss mich ummelden"] == "anmeldung", "by the answering article's slug"
    assert matters["und wann kommt die mülltonne"] == "abfallkalender"
    assert "Call Duisburg, guten Tag" not in matters, "agent turns are no questions"
    assert question_matters(UNCOVERED, redact)["wer bekämpft die ratten"].startswith("uncovered: d-2#0 rats")


@pytest.mark.unit
def test_purity_is_the_share_of_the_majority_matter_and_noise_counts_against_it() -> None:
    matters = {"c1": question_matters(TWO_CONCERNS, redact), "c2": question_matters(UNCOVERED, redact)}
    mixed = topic(
        [
            ("c1", "ich bin umgezogen und muss mich ummelden"),
            ("c1", "und wann kommt die mülltonne"),
            ("c1", "danke tschüss"),
            ("c1", "und wann kommt die mülltonne"),  # counted once
            ("c1", "a search the script does not know"),
        ]
    )
    pure = topic([("c2", "bei uns im hof sind ratten"), ("c2", "wer bekämpft die ratten")])
    first, second = topic_purities([mixed, pure], matters)
    assert (first.questions, first.unknown) == (3, 1)
    assert first.purity == pytest.approx(1 / 3) and first.matter == "abfallkalender", "ties by name"
    assert (second.purity, second.matter) == (1.0, question_matters(UNCOVERED, redact)["wer bekämpft die ratten"])
    cities = {"c1": "duisburg", "c2": "duisburg"}
    split = topic([("c2", "wer bekämpft die ratten")])
    spreads = {m.matter: m for m in matter_spreads([pure, split, mixed], matters, cities)}
    rats = spreads[second.matter]
    assert (rats.topics, rats.majority_of) == (2, 2), "a matter spread over two topics is no single topic"
    assert spreads["anmeldung"].majority_of == 0 and NO_MATTER not in spreads


@pytest.mark.unit
def test_every_concern_becomes_a_call_of_its_own_with_the_greetings_in_the_first() -> None:
    signals, calls = concern_signals([TWO_CONCERNS, UNCOVERED], redact)
    by_call: dict[str, list[str]] = {}
    for signal in signals:
        by_call.setdefault(str(signal.call_id), []).append(signal.text)
        assert signal.kind == "unanswered" and signal.city == "duisburg"
    assert by_call == {
        "d-1#0": ["ja hallo, [NAME] hier", "ich bin umgezogen und muss mich ummelden", "danke tschüss"],
        "d-1#1": ["und wann kommt die mülltonne"],
        "d-2#0": ["bei uns im hof sind ratten", "wer bekämpft die ratten"],
    }
    assert calls["d-1#1"] is TWO_CONCERNS
