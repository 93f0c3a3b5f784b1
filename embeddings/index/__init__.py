"""Passage indexes: dense (FAISS), lexical (BM25) with its analyzer, and their storage on disk."""
