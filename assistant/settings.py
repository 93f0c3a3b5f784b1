"""One typed settings object for the whole application (environment variables, ``.env``, a TOML file)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from embeddings.encoders.default_model import DEFAULT_MODEL
from embeddings.encoders.encoder import EncoderBackend
from embeddings.index.passage_index import IndexSettings
from embeddings.retrieval.confidence import load_confidence_models
from embeddings.retrieval.retriever import RetrievalConfig, SearchMode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_KNOWLEDGE = PROJECT_ROOT / "demo" / "knowledge"
DEFAULT_CATALOG = PROJECT_ROOT.parent / "shared" / "services.csv"
CONFIG_FILE_ENV = "SOUFFLEUR_CONFIG_FILE"


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "souffleur" / "models"


class Settings(BaseSettings):
    """Configuration. Every field can be set as ``SOUFFLEUR_<FIELD>`` or in the TOML file named by
    ``SOUFFLEUR_CONFIG_FILE`` (default ``souffleur.toml`` in the working directory, if present)."""

    model_config = SettingsConfigDict(env_prefix="SOUFFLEUR_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    knowledge_dir: Path = DEMO_KNOWLEDGE
    data_dir: Path = PROJECT_ROOT / ".souffleur"
    model: str = Field(DEFAULT_MODEL, description="sentence-transformers model id or folder, or the default")
    model_cache_dir: Path = Field(default_factory=_default_cache)
    encoder_backend: EncoderBackend = Field(
        "onnx", description="onnx (ONNX Runtime, fp32), onnx-int8 (int8 weights) or torch (sentence-transformers)"
    )
    encoder_threads: int | None = Field(None, ge=1, description="CPU threads of the encoder; default: its own")
    torch_threads: int | None = Field(None, ge=1, description="Deprecated alias of encoder_threads")
    encode_batch_size: int = 16
    inference_max_batch: int = Field(32, ge=1, description="Most query texts in one batched forward pass")
    inference_max_wait_ms: float = Field(2.0, ge=0, le=100, description="How long a pass waits for more queries")

    lexical_analyzer: str = "char4"
    passage_max_tokens: int = Field(256, ge=32, le=512)
    approximate_above: int = Field(50_000, ge=1)

    search_mode: SearchMode = "hybrid"
    lexical_weight: float = Field(1.0, ge=0)
    dense_weight: float = Field(0.5, ge=0)
    rrf_k: int = Field(20, ge=0)
    candidates: int = Field(50, ge=1)
    calibration_file: Path | None = Field(
        None, description="JSON with per-mode confidence weights, written by `souffleur eval calibrate`"
    )
    min_confidence: float = Field(0.7, ge=0, le=1, description="Below this confidence nothing is pushed")

    # ---- live service -------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    public_url: str | None = Field(None, description="Base URL for sidebar links; default: the request's own")
    api_token: SecretStr | None = Field(None, description="Token for ingest and admin endpoints")
    content_token: SecretStr | None = Field(None, description="Token for the content team's gaps page")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite in data_dir")
    redis_url: str | None = Field(
        None, description="Redis URL for the event fan-out between replicas; default: in-process (one replica)"
    )
    index_poll_seconds: float = Field(
        1.0, ge=0, description="How often a running server checks for a newly published index; 0: never"
    )
    cors_origins: list[str] = Field(default_factory=list, description="Browser origins allowed by CORS")
    max_body_bytes: int = Field(65_536, ge=1024)
    max_utterance_chars: int = Field(2_000, ge=50)
    suggestions_per_utterance: int = Field(3, ge=1, le=10)
    context_turns: int = Field(3, ge=1, le=10, description="Caller turns in the rolling window")
    retention_days: int = Field(90, ge=1, description="Days call data is kept before `souffleur purge`")
    stale_after_days: int = Field(365, ge=1, description="Articles older than this are reported as stale")
    catalog_file: Path = Field(DEFAULT_CATALOG, description="Service catalog CSV the gaps report checks coverage with")

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

    @model_validator(mode="after")
    def _check_weights(self) -> Settings:
        if self.lexical_weight == 0 and self.dense_weight == 0:
            raise ValueError("lexical_weight and dense_weight cannot both be 0")
        return self

    @property
    def threads(self) -> int | None:
        return self.encoder_threads or self.torch_threads

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'souffleur.db'}"

    def index_settings(self) -> IndexSettings:
        return IndexSettings(
            lexical_analyzer=self.lexical_analyzer,
            passage_max_tokens=self.passage_max_tokens,
            approximate_above=self.approximate_above,
        )

    def retrieval_config(self) -> RetrievalConfig:
        return RetrievalConfig(
            mode=self.search_mode,
            lexical_weight=self.lexical_weight,
            dense_weight=self.dense_weight,
            rrf_k=self.rrf_k,
            candidates=self.candidates,
            confidence=load_confidence_models(self.calibration_file),
        )
