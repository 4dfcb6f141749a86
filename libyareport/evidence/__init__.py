"""Stage 1, the evidence: schema, CSV reading, sources, the `check` rules, the in-memory model.

Reads `data/`; imports nothing from the other stages."""
