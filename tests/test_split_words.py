"""Words that speech recognition split are joined again before a query is searched ("ein bürgern" ->
"einbürgern"), only where the joined word is one of the articles'."""

from __future__ import annotations

import numpy as np
import pytest

from corpus.knowledge_base import KnowledgeBase
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.index.passage_index import IndexBuilder, IndexSettings
from embeddings.retrieval.retriever import HybridRetriever, RetrievalConfig, dense_text
from embeddings.retrieval.split_words import SplitWordJoiner
from tests.test_embed_queries import CountingEncoder

pytestmark = pytest.mark.unit

ARTICLES = (
    "Die Einbürgerung beantragen Sie bei der Einbürgerungsbehörde. Der Grundsteuerbescheid kommt per Post. "
    "Den Personalausweis gibt es im Bürgerbüro; die Geldbörse verloren? Beide Eltern stimmen zu. "
    "Kleineren Kindern hilft der Elternbeitrag. Den Schwerbehindertenausweis stellt der Kreis aus."
)


@pytest.fixture(scope="module")
def joiner() -> SplitWordJoiner:
    return SplitWordJoiner.from_texts([ARTICLES])


@pytest.mark.parametrize(
    ("said", "joined"),
    [
        ("ich will mich ein bürgern lassen", "ich will mich einbürgern lassen"),  # inflected: Einbürgerung
        ("mein grund steuer bescheid is falsch", "mein grundsteuerbescheid is falsch"),  # three pieces
        ("die geld börse mit dem personal aus weis", "die geldbörse mit dem personalausweis"),
        ("Grund Steuer?", "GrundSteuer?"),  # the words as said, only the space goes
        # Joined in two passes: "schwer behinderten" first, then with "aus weis".
        ("der schwer behinderten aus weis", "der schwerbehindertenausweis"),
    ],
)
def test_split_compounds_are_joined(joiner: SplitWordJoiner, said: str, joined: str) -> None:
    assert joiner.join(said) == joined
    assert joiner.join(joined) == joined  # joining again changes nothing: a search may join twice


@pytest.mark.parametrize(
    "said",
    [
        "bei den beiden eltern",  # function words alone: "beiden" is a word, "bei den" no compound
        "meine eltern beide",  # "elternbei..." starts "Elternbeitrag" but not with "beide"
        "ne kleine rente",  # "kleineren" is a word, "kleinerente" none
        "dat is abgelaufen is dat",
        "grund, steuer",  # a comma between: two words
        "grundsteuer",
        "",
    ],
)
def test_other_words_stay_as_said(joiner: SplitWordJoiner, said: str) -> None:
    assert joiner.join(said) == said


def test_the_retriever_searches_and_embeds_the_joined_words(knowledge_base: KnowledgeBase) -> None:
    encoder = CountingEncoder()
    index, _ = IndexBuilder(encoder, IndexSettings(passage_max_tokens=128)).refresh(knowledge_base)
    city = knowledge_base.cities.keys[0]
    joined = HybridRetriever(index, encoder, knowledge_base.cities)
    said = "mein perso is weg wie krieg ich n neuen personal aus weis"
    assert joined.joined(said) == "mein perso is weg wie krieg ich n neuen personalausweis"
    encoder.seen_batches.clear()
    joined.search(said, city, k=3, mode="dense")
    assert encoder.seen_batches == [["mein perso ist weg wie krieg ich ein neuen personalausweis"]]
    vector = HashingFakeEncoder(dimension=64).encode_queries([dense_text(joined.joined(said))])[0]
    assert np.allclose(joined.embed_query(said), vector), "the joined text's vector, from the cache"
    assert len(encoder.seen_batches) == 1

    as_said = HybridRetriever(index, encoder, knowledge_base.cities, RetrievalConfig(join_split_words=False))
    assert as_said.joined(said) == said
    encoder.seen_batches.clear()
    as_said.search(said, city, k=3, mode="dense")
    assert encoder.seen_batches == [["mein perso ist weg wie krieg ich ein neuen personal aus weis"]]
