"""Gap signals from stored calls: unanswered topics, not-helpful marks, dismissals, unused searches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.gaps.signals import StoredSignalReader
from assistant.storage.call_store import CallStore
from tests.gap_scenarios import backdate, open_call, say


@pytest.fixture
def store() -> CallStore:
    return CallStore("sqlite://")


@pytest.fixture
def reader(store: CallStore) -> StoredSignalReader:
    return StoredSignalReader(store)


@pytest.mark.unit
def test_an_unanswered_utterance_is_a_gap_only_if_its_topic_stays_unanswered(
    store: CallStore, reader: StoredSignalReader
) -> None:
    stays = open_call(store)
    say(store, stays, "bei uns laufen ratten im keller rum", top_article="duisburg/laerm")
    say(store, stays, "muss ich einen kammerjäger holen", outcome="unanswered")
    later = open_call(store, "bottrop")
    say(store, later, "ich hab da ne frage wegen dem ding")
    say(store, later, "wegen der couch, sperrmüll", outcome="suggested", pushed=("bottrop/sperrmuell",))
    other_topic = open_call(store)
    say(store, other_topic, "wer fällt den baum vor meinem haus", topic=0)
    say(store, other_topic, "und den hund anmelden", topic=1, outcome="suggested", pushed=("duisburg/hundesteuer",))

    signals = reader.unanswered()

    assert [(s.call_id, s.text) for s in signals] == [
        (stays, "bei uns laufen ratten im keller rum"),
        (stays, "muss ich einen kammerjäger holen"),
        (other_topic, "wer fällt den baum vor meinem haus"),
    ]
    first = signals[0]
    assert (first.city, first.kind, first.article_id, first.topic) == ("duisburg", "unanswered", "duisburg/laerm", 0)


@pytest.mark.unit
def test_a_concern_with_only_maybe_cards_is_a_gap_and_a_follow_up_on_an_answered_one_is_not(
    store: CallStore, reader: StoredSignalReader
) -> None:
    maybe_only = open_call(store)
    say(store, maybe_only, "der baum vom nachbarn hängt rüber", outcome="maybe", pushed=("duisburg/laerm",))
    follow_up = open_call(store)
    say(store, follow_up, "mein perso is abgelaufen", outcome="suggested", pushed=("duisburg/personalausweis",))
    say(store, follow_up, "kostet das was", outcome="maybe")

    signals = reader.unanswered()

    assert [(s.call_id, s.text) for s in signals] == [(maybe_only, "der baum vom nachbarn hängt rüber")]


@pytest.mark.unit
def test_not_helpful_is_a_gap_unless_another_article_answered_the_topic(
    store: CallStore, reader: StoredSignalReader
) -> None:
    gap = open_call(store)
    say(store, gap, "ratten im hof", outcome="suggested", pushed=("duisburg/laerm",))
    say(store, gap, "kommt da die stadt", outcome="no_new")
    say(store, gap, "danke", outcome="trivial")
    store.add_feedback(gap, "duisburg/laerm", "not_helpful", None)
    answered = open_call(store)
    say(store, answered, "sperrmüll anmelden", outcome="suggested", pushed=("duisburg/laerm", "duisburg/sperrmuell"))
    store.add_feedback(answered, "duisburg/laerm", "not_helpful", None)
    store.add_feedback(answered, "duisburg/sperrmuell", "helpful", None)

    signals = reader.rejected()

    assert {(s.call_id, s.kind, s.text, s.article_id) for s in signals} == {
        (gap, "not_helpful", "ratten im hof", "duisburg/laerm"),
        (gap, "not_helpful", "kommt da die stadt", "duisburg/laerm"),
    }


@pytest.mark.unit
def test_dismissals_count_only_in_calls_where_nothing_helped(store: CallStore, reader: StoredSignalReader) -> None:
    nothing = open_call(store)
    say(store, nothing, "ratten im keller", outcome="suggested", pushed=("duisburg/laerm",))
    store.add_feedback(nothing, "duisburg/laerm", "dismissed", None)
    helped = open_call(store)
    say(store, helped, "hund anmelden", outcome="suggested", pushed=("duisburg/hundesteuer",), topic=0)
    say(store, helped, "und was kostet das", outcome="suggested", pushed=("duisburg/gewerbe",), topic=1)
    store.add_feedback(helped, "duisburg/hundesteuer", "copied", None)
    store.add_feedback(helped, "duisburg/gewerbe", "dismissed", None)

    signals = reader.rejected()

    assert [(s.call_id, s.kind, s.text) for s in signals] == [(nothing, "dismissed", "ratten im keller")]


@pytest.mark.unit
def test_a_search_is_a_gap_when_none_of_its_results_was_used_afterwards(
    store: CallStore, reader: StoredSignalReader
) -> None:
    unused = open_call(store)
    store.add_search(unused, "duisburg", "rattenbekämpfung", ["duisburg/laerm"], 0.2)
    used = open_call(store)
    store.add_search(used, "duisburg", "sperrmüll termin", ["duisburg/sperrmuell", "duisburg/abfall"], 0.9)
    store.add_feedback(used, "duisburg/abfall", "opened", None)
    before = open_call(store)
    store.add_feedback(before, "duisburg/hundesteuer", "opened", None)
    store.add_search(before, "duisburg", "hundesteuer", ["duisburg/hundesteuer"], 0.9)
    store.add_search(None, "duisburg", "ohne anruf", [], None)

    signals = reader.searches_without_click()

    assert [(s.call_id, s.text, s.article_id, s.kind) for s in signals] == [
        (unused, "rattenbekämpfung", "duisburg/laerm", "search_without_click"),
        (before, "hundesteuer", "duisburg/hundesteuer", "search_without_click"),
    ]


@pytest.mark.unit
def test_ended_calls_without_any_helpful_mark_are_weak_signals(store: CallStore, reader: StoredSignalReader) -> None:
    silent = open_call(store)
    say(store, silent, "baum fällen genehmigung", topic=0)
    say(store, silent, "ja", outcome="trivial")
    store.end_call(silent)
    active = open_call(store)
    say(store, active, "noch am telefon")
    helped = open_call(store)
    say(store, helped, "hund anmelden", outcome="suggested", pushed=("duisburg/hundesteuer",))
    store.add_feedback(helped, "duisburg/hundesteuer", "helpful", None)
    store.end_call(helped)

    signals = reader.calls_without_helpful()

    assert [(s.call_id, s.kind, s.text) for s in signals] == [(silent, "no_helpful_call", "baum fällen genehmigung")]


@pytest.mark.unit
def test_city_and_since_filters_and_all_signals_together(store: CallStore, reader: StoredSignalReader) -> None:
    old = open_call(store, "bottrop")
    say(store, old, "alte ratten")
    backdate(store, old, datetime.now(UTC) - timedelta(days=40))
    new = open_call(store, "bottrop")
    say(store, new, "neue ratten")
    elsewhere = open_call(store, "dinslaken")
    say(store, elsewhere, "ratten in dinslaken")

    assert {s.text for s in reader.gap_signals()} == {"alte ratten", "neue ratten", "ratten in dinslaken"}
    assert {s.text for s in reader.gap_signals(city="bottrop")} == {"alte ratten", "neue ratten"}
    since = datetime.now(UTC) - timedelta(days=7)
    assert [s.text for s in reader.gap_signals(city="bottrop", since=since)] == ["neue ratten"]
    assert reader.cities_with_calls(since=since) == {"bottrop", "dinslaken"}


@pytest.mark.unit
def test_article_usage_counts_distinct_calls_and_answered_topics_keep_their_texts(
    store: CallStore, reader: StoredSignalReader
) -> None:
    for _ in range(2):
        call = open_call(store)
        say(store, call, "sperrmüll abholen", outcome="suggested", pushed=("duisburg/sperrmuell", "duisburg/laerm"))
        store.add_feedback(call, "duisburg/sperrmuell", "helpful", None)
        store.add_feedback(call, "duisburg/sperrmuell", "helpful", None)
        store.add_feedback(call, "duisburg/laerm", "dismissed", None)
    searched = open_call(store)
    store.add_search(searched, "duisburg", "lärm", ["duisburg/laerm"], 0.7)

    usage = reader.article_usage()
    answered = reader.answered()

    assert usage["duisburg/sperrmuell"].suggested_calls == 2 and usage["duisburg/sperrmuell"].helpful_calls == 2
    laerm = usage["duisburg/laerm"]
    assert (laerm.suggested_calls, laerm.searched_calls, laerm.dismissed_calls, laerm.exposed_calls) == (2, 1, 2, 3)
    assert [(a.text, a.article_id) for a in answered] == [("sperrmüll abholen", "duisburg/sperrmuell")] * 2


@pytest.mark.unit
def test_a_concern_answered_by_a_manual_search_is_no_missing_article(
    store: CallStore, reader: StoredSignalReader
) -> None:
    found = open_call(store, "bottrop")
    say(store, found, "wo melde ich die kaputte laterne")
    store.add_search(found, "bottrop", "laterne defekt", ["bottrop/strassenschaden", "bottrop/laerm"], 0.8)
    store.add_feedback(found, "bottrop/strassenschaden", "copied", None)
    ignored = open_call(store, "bottrop")
    say(store, ignored, "wo melde ich die kaputte laterne")
    store.add_search(ignored, "bottrop", "laterne defekt", ["bottrop/strassenschaden"], 0.8)
    store.add_feedback(ignored, "bottrop/sperrmuell", "copied", None)  # not from the search

    assert [s.call_id for s in reader.unanswered()] == [ignored]
