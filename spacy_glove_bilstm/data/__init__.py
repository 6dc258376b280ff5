"""Data: reading and checking NER corpora, and how much of them the vectors cover."""
