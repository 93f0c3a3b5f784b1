"""One typed settings object for the whole application (environment variables, ``.env``, a TOML file).

The deployment's basics (folders, tokens, database, Redis) are top-level fields; the knobs are grouped
by the part they tune, one nested model each: ``encoder``, ``index``, ``retrieval``, ``suggestions``
(the live suggestion engine), ``gaps`` (the gaps report) and ``server``. A nested knob is set as
``SOUFFLEUR_<GROUP>__<FIELD>`` (``SOUFFLEUR_RETRIEVAL__DENSE_WEIGHT=0.7``) or in the TOML section of its
group (``[retrieval]`` ``dense_weight = 0.7``). The flat names of earlier versions (``SOUFFLEUR_MODEL``,
``SOUFFLEUR_MIN_CONFIDENCE``, ...) are refused with the new name, never silently ignored.

The ``index``, ``retrieval``, ``suggestions`` and ``gaps`` groups carry the fields of the config
dataclasses of the code they tune (``IndexSettings``, ``RetrievalConfig``, ``SuggestionConfig``,
``TopicConfig``, ...) with ranges and descriptions, and build them (``index_settings()``,
``retrieval_config()``, ``suggestion_config()``, ``report_config()``). The engine's and the gaps
modules are imported only there, as the gaps modules pull in the database layer and every command
reads the settings. ``tests/test_settings.py`` checks that each group has exactly the fields and
defaults of its dataclass.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from embeddings.encoders.default_model import DEFAULT_MODEL
from embeddings.encoders.encoder import EncoderBackend, PassageRuntimeChoice, QueryRuntimeChoice
from embeddings.index.passage_index import IndexSettings
from embeddings.index.text_analysis import make_analyzer
from embeddings.retrieval.confidence import load_confidence_models
from embeddings.retrieval.retriever import RetrievalConfig, SearchMode

if TYPE_CHECKING:
    from assistant.gaps.report import GapReportConfig
    from assistant.live.concern_confidence import CardConfidence, LogisticModel
    from assistant.live.suggestion_engine import SuggestionConfig
    from corpus.answer_examples import AnswerExample
    from corpus.knowledge_base import KnowledgeBase
    from corpus.known_gaps import KnownGap

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_KNOWLEDGE = PROJECT_ROOT / "demo" / "knowledge"
DEFAULT_CATALOG = PROJECT_ROOT.parent / "shared" / "services.csv"
CONFIG_FILE_ENV = "SOUFFLEUR_CONFIG_FILE"
ENV_PREFIX = "SOUFFLEUR_"
NESTED_DELIMITER = "__"

# Flat settings of earlier versions and where they live now. Setting one (environment, ``.env`` is
# read by pydantic, a TOML key, a keyword) is an error that names the new place.
RENAMED: dict[str, str] = {
    "model": "encoder.model",
    "model_cache_dir": "encoder.cache_dir",
    "encoder_backend": "encoder.backend",
    "encoder_threads": "encoder.threads",
    "torch_threads": "encoder.threads",
    "encode_batch_size": "encoder.batch_size",
    "inference_max_batch": "encoder.max_batch",
    "inference_max_wait_ms": "encoder.max_wait_ms",
    "lexical_analyzer": "index.lexical_analyzer",
    "passage_max_tokens": "index.passage_max_tokens",
    "approximate_above": "index.approximate_above",
    "search_mode": "retrieval.mode",
    "lexical_weight": "retrieval.lexical_weight",
    "dense_weight": "retrieval.dense_weight",
    "rrf_k": "retrieval.rrf_k",
    "candidates": "retrieval.candidates",
    "calibration_file": "retrieval.calibration_file",
    "min_confidence": "retrieval.min_confidence",
    "suggestions_per_utterance": "suggestions.max_cards",
    "context_turns": "suggestions.context_turns",
    "stale_after_days": "gaps.health.stale_after_days",
    "catalog_file": "gaps.catalog_file",
    "host": "server.host",
    "port": "server.port",
    "public_url": "server.public_url",
    "cors_origins": "server.cors_origins",
    "max_body_bytes": "server.max_body_bytes",
    "max_utterance_chars": "server.max_utterance_chars",
    "index_poll_seconds": "server.index_poll_seconds",
}


def env_name(path: str) -> str:
    """The environment variable of a setting: ``retrieval.dense_weight`` -> ``SOUFFLEUR_RETRIEVAL__DENSE_WEIGHT``."""
    return ENV_PREFIX + path.upper().replace(".", NESTED_DELIMITER)


def _renamed_message(old: str) -> str:
    new = RENAMED[old]
    section, _, key = new.rpartition(".")
    return (
        f"the setting '{old}' ({env_name(old)}) was renamed to '{new}': "
        f"set {env_name(new)} or '{key}' in the [{section}] section of the TOML file"
    )


def describe_errors(error: ValidationError) -> str:
    """One line per problem, naming the setting and its environment variable (never the value)."""
    lines = []
    for problem in error.errors():
        path = ".".join(str(part) for part in problem["loc"])
        where = f"{path} ({env_name(path)}): " if path else ""
        lines.append(where + problem["msg"].removeprefix("Value error, "))
    return "; ".join(lines)


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "souffleur" / "models"


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class EncoderSettings(_Group):
    """The embedding model and how it runs ([inference](docs/inference.md))."""

    model: str = Field(DEFAULT_MODEL, description="sentence-transformers model id or folder, or the default")
    cache_dir: Path = Field(default_factory=_default_cache, description="Where the converted default model lives")
    backend: EncoderBackend = Field(
        "onnx", description="onnx (ONNX Runtime, fp32), onnx-int8 (int8 weights) or torch (sentence-transformers)"
    )
    threads: int | None = Field(None, ge=1, description="CPU threads of the encoder; default: its own")
    batch_size: int = Field(16, ge=1, description="Passages in one forward pass when indexing")
    passage_runtime: PassageRuntimeChoice = Field(
        "auto",
        description="What embeds passages (index builds) for the onnx backend: auto (openvino-bf16 where the "
        "CPU has bf16 units and openvino is installed, else onnxruntime), onnxruntime (fp32), or openvino-bf16 "
        "(OpenVINO in bf16: about half the CPU time of fp32; the vectors differ slightly, so the index has "
        "its own fingerprint: a change rebuilds it once)",
    )
    query_runtime: QueryRuntimeChoice = Field(
        "auto",
        description="What embeds queries (live utterances, searches) for the onnx backend: auto (openvino-bf16 "
        "where the CPU has bf16 units and openvino is installed, else onnxruntime; `souffleur search` answers "
        "one query and stays on onnxruntime), onnxruntime, or openvino-bf16 (the index stays the same)",
    )
    max_batch: int = Field(32, ge=1, description="Most live query texts in one batched forward pass")
    max_wait_ms: float = Field(2.0, ge=0, le=100, description="How long a pass waits for more live queries")


class IndexingSettings(_Group):
    """What changes the index content besides model and corpus (a change rebuilds the index)."""

    lexical_analyzer: str = Field(IndexSettings.lexical_analyzer, description="char3, char4, char5, stem or word")
    passage_max_tokens: int = Field(IndexSettings.passage_max_tokens, ge=32, le=512)
    approximate_above: int = Field(IndexSettings.approximate_above, ge=1)

    @field_validator("lexical_analyzer")
    @classmethod
    def _known_analyzer(cls, name: str) -> str:
        make_analyzer(name)  # raises ValueError naming the known analyzers
        return name

    def index_settings(self) -> IndexSettings:
        return IndexSettings(**self.model_dump())


EVALUATION_ONLY = {"min_confidence"}  # a retrieval setting that the evaluation reads, not the retriever


class RetrievalSettings(_Group):
    """The city-scoped hybrid search: fusion of the lexical and the dense ranking, confidence."""

    mode: SearchMode = RetrievalConfig.mode
    lexical_weight: float = Field(RetrievalConfig.lexical_weight, ge=0)
    dense_weight: float = Field(RetrievalConfig.dense_weight, ge=0)
    foreign_lexical_weight: float = Field(
        RetrievalConfig.foreign_lexical_weight,
        ge=0,
        description="Weight of the glossary's German words for a query that is not German, times the dense weight",
    )
    synonym_weight: float = Field(
        RetrievalConfig.synonym_weight, ge=0, description="Weight of an article whose title or synonym is said verbatim"
    )
    rrf_k: int = Field(RetrievalConfig.rrf_k, ge=0)
    candidates: int = Field(RetrievalConfig.candidates, ge=1, description="Passages taken from each ranking")
    query_cache_size: int = Field(RetrievalConfig.query_cache_size, ge=0, description="Query vectors kept")
    join_split_words: bool = Field(
        RetrievalConfig.join_split_words,
        description="Join words speech recognition split when the joined word is the articles' ('grund steuer')",
    )
    calibration_file: Path | None = Field(
        None, description="JSON with per-mode confidence weights, written by `souffleur eval calibrate`"
    )
    min_confidence: float = Field(
        0.7, ge=0, le=1, description="Evaluation: a query whose top confidence is below this counts as unanswered"
    )

    @model_validator(mode="after")
    def _check_weights(self) -> RetrievalSettings:
        if self.lexical_weight == 0 and self.dense_weight == 0:
            raise ValueError("lexical_weight and dense_weight cannot both be 0")
        return self

    def retrieval_config(self) -> RetrievalConfig:
        knobs = self.model_dump(exclude=EVALUATION_ONLY | {"calibration_file"})
        return RetrievalConfig(**knobs, confidence=load_confidence_models(self.calibration_file))


# Settings of the suggestions group that are not the engine's ``SuggestionConfig``.
NOT_ENGINE_CONFIG = {"confidence_file", "topic_change_file", "answer_examples", "learn_answers", "known_gaps"}


class SuggestionSettings(_Group):
    """The live suggestion engine (``SuggestionConfig``; [suggestions](docs/suggestions.md))."""

    max_cards: int = Field(3, ge=1, le=10, description="Most cards shown for a concern")
    context_turns: int = Field(3, ge=1, le=10, description="Caller turns of the concern in the search window")
    search_depth: int = Field(8, ge=1, description="Articles taken from each ranking")
    agent_context: bool = Field(True, description="Search with the agent's last words too")
    window_words: int = Field(40, ge=1, description="The search window keeps its most recent words")
    search_gist: bool = Field(
        True, description="Also search the caller turn's content words densely (same encoder request as the window)"
    )
    gist_turns: int = Field(2, ge=0, description="... on the concern's first this many caller turns")
    evidence_decay: float = Field(0.6, ge=0, le=1, description="Weight of the accumulated evidence per new turn")
    answer_threshold: float = Field(0.75, ge=0, le=1, description="Calibrated confidence of an 'answer' card")
    maybe_threshold: float = Field(0.15, ge=0, le=1, description="Calibrated confidence of a 'maybe' card")
    topic_change_threshold: float = Field(
        0.3, ge=0, le=1, description="Probability of the topic-change model from which a turn opens a new concern"
    )
    topic_change_words: int = Field(2, ge=0, description="... for a turn with at least this many content words")
    anticipate_partials: bool = Field(
        True,
        description="Embed the window of a caller's partial transcript ahead, while the encoder has nothing "
        "else to do, so the final utterance finds its vectors ready",
    )
    answer_examples: bool = Field(
        True,
        description="Highlight the sentence that answered a like question about the article before "
        "(the knowledge folder's answer-examples.jsonl)",
    )
    learn_answers: bool = Field(
        True,
        description="Agents' answer marks (the sentence that answered, marked in the sidebar) are answer "
        "examples too, from the moment they are marked",
    )
    known_gaps: bool = Field(
        True,
        description="A concern like a matter the team knows is not covered (the knowledge folder's "
        "known-gaps.jsonl and the gaps marked on the gaps page) gets no 'answer' card",
    )
    gap_likeness: float = Field(
        0.25, ge=0, le=1, description="Likeness to a known gap from which a concern's cards are 'maybe' at most"
    )
    gap_margin: float = Field(
        0.1, ge=0, le=1, description="... unless an answer example of the card's article is this much likelier"
    )
    gap_words: int = Field(200, ge=1, description="The concern's most recent caller words compared with known gaps")
    close_turns: bool = Field(
        True, description="A caller turn that ends with thanks or a goodbye and asks nothing changes no card"
    )
    named_evidence: float = Field(
        0.5,
        ge=0,
        description="Evidence for an article whose title or a synonym the caller turn says word for word "
        "(first three by phrase length, 1/rank times this, halved like the rankings); 0: off",
    )
    keep_unsure_cards: bool = Field(
        True,
        description="A new concern opened by the topic-change model (no cue) without an 'answer' card keeps "
        "the previous concern's cards as 'maybe', after its own",
    )
    turn_focus: bool = Field(
        True,
        description="An 'answer' card becomes 'maybe' at a turn whose own words point, lexically and densely "
        "alike, at another article (the caller has probably moved on without a known cue)",
    )
    turn_card: bool = Field(
        True,
        description="A turn that continues the concern and names an article (title or synonym) or points at "
        "one with its own words, lexically and densely alike, gets it as a 'maybe' card when no card shows it",
    )
    example_meaning: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share of what two questions mean (their content words embedded) in the likeness of an "
        "answer example's question to the caller's, beside their words; 0: words alone",
    )
    sentence_meaning: bool = Field(
        True,
        description="The answer sentence also counts what each sentence of the card's article means against "
        "what the caller's question means (the articles' sentences embedded once per model)",
    )
    confidence_file: Path | None = Field(
        None,
        description="Card confidence weights written by `souffleur eval calibrate-calls --out`; "
        "default: the fitted concern_confidence.json shipped with the engine",
    )
    topic_change_file: Path | None = Field(
        None,
        description="Topic-change weights written by `souffleur eval calibrate-topics --out`; "
        "default: the fitted topic_change.json shipped with the engine",
    )

    def suggestion_config(self) -> SuggestionConfig:
        from assistant.live.suggestion_engine import SuggestionConfig

        return SuggestionConfig(**self.model_dump(exclude=NOT_ENGINE_CONFIG))

    def examples_of(self, knowledge: KnowledgeBase) -> tuple[AnswerExample, ...]:
        """The knowledge folder's answer examples, unless switched off (the agents' answer marks come
        from the database: ``CallService.learn_new_marks``)."""
        return knowledge.answer_examples if self.answer_examples else ()

    def gaps_of(self, knowledge: KnowledgeBase) -> tuple[KnownGap, ...]:
        """The knowledge folder's known gaps, unless switched off (the gaps marked on the gaps page come
        from the database: ``CallService.learn_stored_gaps``)."""
        return knowledge.known_gaps if self.known_gaps else ()

    def topic_change(self) -> LogisticModel:
        """The topic-change model; a file that cannot be read is a ``ValueError`` naming it."""
        from assistant.live.topic_change import load_topic_change

        return load_topic_change(self.topic_change_file)

    def concern_confidence(self) -> CardConfidence:
        """The cards' confidence model; a file that cannot be read is a ``ValueError`` naming it."""
        from assistant.live.concern_confidence import load_concern_confidence

        return load_concern_confidence(self.confidence_file)


class GapTopicsSettings(_Group):
    """How the report groups utterances into topics (``TopicConfig``)."""

    distance_threshold: float = Field(0.78, gt=0, le=2, description="Cosine distance that cuts the clustering")
    examples: int = Field(3, ge=1, description="Example utterances shown per topic")
    words_per_label: int = Field(3, ge=1, description="Words in a topic's label")
    nearest_min_confidence: float = Field(
        0.7, ge=0, le=1, description="The nearest article is shown only from this search confidence on"
    )


class ArticleHealthSettings(_Group):
    """Which articles the report lists as rejected, stale or duplicate (``ArticleHealthConfig``)."""

    stale_after_days: int = Field(365, ge=1, description="Articles older than this are reported as stale")
    min_exposed_calls: int = Field(3, ge=1, description="Calls an article must be shown in to be judged")
    dismissed_rate: float = Field(0.5, ge=0, le=1, description="Share of calls dismissed that reports it")
    not_helpful_rate: float = Field(0.3, ge=0, le=1, description="Share of calls 'not helpful' that reports it")
    duplicate_similarity: float = Field(0.98, ge=0, le=1, description="Cosine from which two articles are duplicates")


class AsymmetrySettings(_Group):
    """When one city answers what another does not (``AsymmetryConfig``)."""

    topic_similarity: float = Field(0.3, ge=0, le=1, description="Similarity of a topic to another city's answers")
    min_calls: int = Field(2, ge=1, description="Calls needed on each side")
    strong_helpful_rate: float = Field(0.5, ge=0, le=1, description="Helpful share of the strong city's article")
    weak_rejected_rate: float = Field(0.5, ge=0, le=1, description="Rejected share of the weak city's article")


class GapsSettings(_Group):
    """The gaps report for content teams ([gaps](docs/gaps.md); ``GapReportConfig``)."""

    catalog_file: Path = Field(DEFAULT_CATALOG, description="Service catalog CSV the report checks coverage with")
    dense_weight: float = Field(0.3, ge=0, le=1, description="Share of the dense similarity between utterances")
    topics: GapTopicsSettings = Field(default_factory=GapTopicsSettings)
    health: ArticleHealthSettings = Field(default_factory=ArticleHealthSettings)
    asymmetry: AsymmetrySettings = Field(default_factory=AsymmetrySettings)

    def report_config(self) -> GapReportConfig:
        from assistant.gaps.article_health import ArticleHealthConfig
        from assistant.gaps.asymmetry import AsymmetryConfig
        from assistant.gaps.report import GapReportConfig
        from assistant.gaps.topics import TopicConfig

        return GapReportConfig(
            topics=TopicConfig(**self.topics.model_dump()),
            health=ArticleHealthConfig(**self.health.model_dump()),
            asymmetry=AsymmetryConfig(**self.asymmetry.model_dump()),
            dense_weight=self.dense_weight,
        )


class ServerSettings(_Group):
    """The live service (``souffleur serve``)."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    public_url: str | None = Field(None, description="Base URL for sidebar links; default: the request's own")
    cors_origins: list[str] = Field(default_factory=list, description="Browser origins allowed by CORS")
    max_body_bytes: int = Field(65_536, ge=1024)
    max_utterance_chars: int = Field(2_000, ge=50)
    index_poll_seconds: float = Field(
        1.0, ge=0, description="How often a running server checks for a newly published index; 0: never"
    )
    build_index_apart: bool = Field(
        True,
        description="A server that finds its index missing or stale at start builds it in a child process, so "
        "the build's memory (the passage session's kernels, the lexical build's libraries) leaves with the child",
    )
    request_threads: int = Field(
        8,
        ge=1,
        le=200,
        description="Threads for blocking request work (utterances, database reads); more requests wait their turn",
    )


class Settings(BaseSettings):
    """Configuration. A top-level field is ``SOUFFLEUR_<FIELD>``, a grouped one
    ``SOUFFLEUR_<GROUP>__<FIELD>``; or the TOML file named by ``SOUFFLEUR_CONFIG_FILE`` (default
    ``souffleur.toml`` in the working directory, if present), groups as sections."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTED_DELIMITER,
        env_file=".env",
        extra="ignore",
        hide_input_in_errors=True,  # an error never repeats a value: it may be a token or a database password
    )

    environment: Literal["development", "production"] = "development"
    knowledge_dir: Path = DEMO_KNOWLEDGE
    data_dir: Path = PROJECT_ROOT / ".souffleur"
    api_token: SecretStr | None = Field(None, description="Token for ingest and admin endpoints")
    content_token: SecretStr | None = Field(None, description="Token for the content team's gaps page")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite in data_dir")
    redis_url: str | None = Field(
        None, description="Redis URL for the event fan-out between replicas; default: in-process (one replica)"
    )
    retention_days: int = Field(90, ge=1, description="Days call data is kept before `souffleur purge`")

    encoder: EncoderSettings = Field(default_factory=EncoderSettings)
    index: IndexingSettings = Field(default_factory=IndexingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    suggestions: SuggestionSettings = Field(default_factory=SuggestionSettings)
    gaps: GapsSettings = Field(default_factory=GapsSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get(CONFIG_FILE_ENV, "souffleur.toml"))
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings, dotenv_settings]
        if toml_path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    @model_validator(mode="before")
    @classmethod
    def _refuse_renamed(cls, data: Any) -> Any:
        """A flat name of an earlier version (a keyword, a TOML key, an environment variable) is an
        error that says where the setting lives now, so no old configuration is silently ignored."""
        names = set(data) if isinstance(data, dict) else set()
        names |= {key[len(ENV_PREFIX) :].lower() for key in os.environ if key.upper().startswith(ENV_PREFIX)}
        old = sorted(names & RENAMED.keys())
        if old:
            raise ValueError("; ".join(_renamed_message(name) for name in old))
        return data

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'souffleur.db'}"

    def index_settings(self) -> IndexSettings:
        return self.index.index_settings()

    def retrieval_config(self) -> RetrievalConfig:
        return self.retrieval.retrieval_config()

    def with_model(self, model: str) -> Settings:
        """These settings with another encoder model."""
        return self.model_copy(update={"encoder": self.encoder.model_copy(update={"model": model})})
