"""The article corpus: cities, knowledge articles, validation, passages and imports."""

from corpus.cities import CityDirectory
from corpus.errors import CorpusError, CorpusValidationError, KnowledgeFolderError, UnknownCityError, ValidationIssue
from corpus.knowledge_base import KnowledgeBase, load_knowledge_base
from corpus.models import Article, City, Passage, Section

__all__ = [
    "Article",
    "City",
    "CityDirectory",
    "CorpusError",
    "CorpusValidationError",
    "KnowledgeBase",
    "KnowledgeFolderError",
    "Passage",
    "Section",
    "UnknownCityError",
    "ValidationIssue",
    "load_knowledge_base",
]
