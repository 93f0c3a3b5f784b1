"""Personal data: redaction of transcripts before anything is stored, logged or shown."""
