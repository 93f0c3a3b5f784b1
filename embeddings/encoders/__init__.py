"""Text encoders: the ``Encoder`` protocol, the deterministic fake, sentence-transformers, the default model."""
