"""Vectors and indexes: encoders, the FAISS and BM25 indexes, fusion and city-scoped retrieval."""
