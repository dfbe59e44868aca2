"""ID cards: canonical numbers, keyed hashes, the users they belong to."""
