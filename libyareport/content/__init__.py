"""Stage 2, what the book says: findings, headline figures, event-data aggregates, text formats.

Plain data out (DataFrames, dataclasses, strings); no HTML, no charts."""
