"""YAML as the knowledge folder reads it: safe, and a date that does not exist (``2026-02-30``) stays
the text it was, so validation can name the file and field instead of failing inside the parser."""

from __future__ import annotations

from typing import Any

import yaml


class KnowledgeYamlLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` whose impossible timestamps load as strings."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[arg-type]
        except (ValueError, OverflowError):
            return self.construct_scalar(node)  # type: ignore[arg-type]


KnowledgeYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", KnowledgeYamlLoader.construct_yaml_timestamp)


def load_yaml(text: str) -> Any:
    """Parse ``text`` (may raise ``yaml.YAMLError``; never ``ValueError`` for a date)."""
    return yaml.load(text, Loader=KnowledgeYamlLoader)
