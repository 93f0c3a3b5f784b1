"""External retrieval benchmarks (Munich DLDB keywords, XQuAD German, RAGSource bylaws) turned into
temporary knowledge folders and labeled queries."""
