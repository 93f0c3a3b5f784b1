"""City-scoped retrieval over the indexes: fusion, confidence, the retriever."""
