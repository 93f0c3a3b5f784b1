"""The live call path: call service, suggestion engine, utterance analysis, answer extraction, metrics."""
