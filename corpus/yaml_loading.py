"""YAML as the knowledge folder reads it: safe, and a date that does not exist (``2026-02-30``) stays
the text it was, so validation can name the file and field instead of failing inside the parser."""

from __future__ import annotations

from typing import Any

import yaml


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)  # type: ignore[arg-type]


class KnowledgeYamlLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` whose impossible timestamps load as strings (precise error messages)."""


# libyaml's parser when PyYAML was built with it (several times faster); same constructors.
_FAST_BASE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FastKnowledgeYamlLoader(_FAST_BASE):  # type: ignore[misc]
    """The same loader on libyaml's parser."""


for _loader in (KnowledgeYamlLoader, FastKnowledgeYamlLoader):
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_yaml(text: str) -> Any:
    """Parse ``text`` (may raise ``yaml.YAMLError``; never ``ValueError`` for a date)."""
    return yaml.load(text, Loader=KnowledgeYamlLoader)


def compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for field lines) and the data, on libyaml's parser. Invalid YAML is parsed again by
    the pure-Python loader, whose error messages are more precise ("found character '\\t' ...")."""
    try:
        return yaml.compose(text, Loader=FastKnowledgeYamlLoader), yaml.load(text, Loader=FastKnowledgeYamlLoader)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=KnowledgeYamlLoader), load_yaml(text)
