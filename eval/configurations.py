"""Retrieval configurations to compare: ``NAME=key=value,...`` options or a TOML/JSON file.

A configuration sets the search mode, the fusion weights, the RRF constant and optionally another
model. What it leaves out comes from the settings.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from embeddings.retrieval.retriever import SEARCH_MODES, SearchMode

CONFIG_KEYS = ("mode", "lexical_weight", "dense_weight", "rrf_k", "model")
CONFIG_FILE_SUFFIXES = (".toml", ".json")


class ConfigSpecError(ValueError):
    """A configuration that cannot be run; the message says which one and why."""


@dataclass(frozen=True)
class RetrievalSpec:
    """One configuration under comparison. ``model`` is ``None`` for the configured model."""

    name: str
    mode: SearchMode
    lexical_weight: float
    dense_weight: float
    rrf_k: int
    model: str | None = None

    def describe(self) -> str:
        parts = [f"mode={self.mode}"]
        if self.mode == "hybrid":
            parts += [f"lexical_weight={self.lexical_weight:g}", f"dense_weight={self.dense_weight:g}"]
            parts.append(f"rrf_k={self.rrf_k}")
        if self.model is not None:
            parts.append(f"model={self.model}")
        return ", ".join(parts)


@dataclass(frozen=True)
class SpecDefaults:
    """What a configuration gets for the keys it does not set (from the settings)."""

    mode: SearchMode
    lexical_weight: float
    dense_weight: float
    rrf_k: int


def _float(name: str, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ConfigSpecError(f"configuration '{name}': {key} must be a number, not {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ConfigSpecError(f"configuration '{name}': {key} must be a number, not {value!r}") from None
    if not number >= 0 or math.isinf(number):
        raise ConfigSpecError(f"configuration '{name}': {key} must be a number >= 0, not {value!r}")
    return number


def _int(name: str, key: str, value: object) -> int:
    number = _float(name, key, value)
    if not number.is_integer() or (isinstance(value, str) and not value.strip().isdigit()):
        raise ConfigSpecError(f"configuration '{name}': {key} must be a whole number, not {value!r}")
    return int(number)


def make_spec(name: str, values: Mapping[str, object], defaults: SpecDefaults) -> RetrievalSpec:
    """A checked configuration from ``key -> value`` (strings from the command line or typed file values)."""
    name = name.strip()
    if not name:
        raise ConfigSpecError("a configuration needs a name (NAME=mode=hybrid,...)")
    unknown = sorted(set(values) - set(CONFIG_KEYS))
    if unknown:
        raise ConfigSpecError(
            f"configuration '{name}': unknown key(s) {', '.join(unknown)} (known: {', '.join(CONFIG_KEYS)})"
        )
    mode = str(values.get("mode", defaults.mode))
    if mode not in SEARCH_MODES:
        raise ConfigSpecError(f"configuration '{name}': unknown mode '{mode}' (one of: {', '.join(SEARCH_MODES)})")
    lexical_weight = _float(name, "lexical_weight", values.get("lexical_weight", defaults.lexical_weight))
    dense_weight = _float(name, "dense_weight", values.get("dense_weight", defaults.dense_weight))
    rrf_k = _int(name, "rrf_k", values.get("rrf_k", defaults.rrf_k))
    if mode == "hybrid" and lexical_weight == 0 and dense_weight == 0:
        raise ConfigSpecError(f"configuration '{name}': lexical_weight and dense_weight cannot both be 0")
    model = values.get("model")
    if model is not None and (not isinstance(model, str) or not model.strip()):
        raise ConfigSpecError(f"configuration '{name}': model must be a model id or folder")
    return RetrievalSpec(
        name=name,
        mode=mode,
        lexical_weight=lexical_weight,
        dense_weight=dense_weight,
        rrf_k=rrf_k,
        model=model.strip() if isinstance(model, str) else None,
    )


def parse_config_option(option: str, defaults: SpecDefaults) -> RetrievalSpec:
    """``NAME=key=value,key=value`` as given to ``--config``; ``NAME`` alone takes every default."""
    name, _, spec = option.partition("=")
    values: dict[str, object] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not value.strip():
            raise ConfigSpecError(
                f"configuration '{name.strip()}': expected key=value, got '{part}' "
                "(example: --config 'k60=mode=hybrid,rrf_k=60')"
            )
        values[key.strip()] = value.strip()
    return make_spec(name, values, defaults)


def _entries(raw: object, path: Path) -> list[tuple[str, Mapping[str, object]]]:
    container = raw.get("configs") if isinstance(raw, dict) else None
    if isinstance(container, list) and all(isinstance(e, dict) for e in container):
        entries: list[tuple[str, Mapping[str, object]]] = []
        for number, entry in enumerate(container, start=1):
            rest = {k: v for k, v in entry.items() if k != "name"}
            entries.append((str(entry.get("name", "")) or f"config-{number}", rest))
        return entries
    if isinstance(container, dict) and all(isinstance(e, dict) for e in container.values()):
        return [(str(name), cast(Mapping[str, object], entry)) for name, entry in container.items()]
    raise ConfigSpecError(
        f"{path}: expected a list 'configs' of tables with a name ([[configs]] in TOML) "
        "or a table 'configs' of named tables"
    )


def load_config_file(path: Path, defaults: SpecDefaults) -> list[RetrievalSpec]:
    """Configurations from a TOML or JSON file, in file order."""
    if not path.is_file():
        raise ConfigSpecError(f"No configuration file at {path}")
    if path.suffix not in CONFIG_FILE_SUFFIXES:
        raise ConfigSpecError(f"{path}: configuration files are {' or '.join(CONFIG_FILE_SUFFIXES)}")
    text = path.read_text(encoding="utf-8")
    raw: Any
    try:
        raw = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigSpecError(f"{path}: cannot parse the file: {exc}") from exc
    specs = [make_spec(name, values, defaults) for name, values in _entries(raw, path)]
    if not specs:
        raise ConfigSpecError(f"{path}: no configurations in the file")
    return specs


def default_specs(defaults: SpecDefaults) -> list[RetrievalSpec]:
    """Lexical, dense and hybrid with the configured fusion settings."""
    return [make_spec(mode, {"mode": mode}, defaults) for mode in ("lexical", "dense", "hybrid")]


def collect_specs(options: Sequence[str], config_file: Path | None, defaults: SpecDefaults) -> list[RetrievalSpec]:
    """File configurations first, then ``--config`` options; the defaults when there are none.
    The first configuration is the baseline of the comparison."""
    specs = load_config_file(config_file, defaults) if config_file is not None else []
    specs += [parse_config_option(option, defaults) for option in options]
    if not specs:
        return default_specs(defaults)
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise ConfigSpecError(f"two configurations are named '{spec.name}'")
        seen.add(spec.name)
    return specs
