"""Retrieval quality: labeled queries, standard metrics (ranx), reports."""
