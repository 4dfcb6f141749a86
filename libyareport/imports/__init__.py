"""Stage 1b, event data: one module per export format over a shared read → check → normalise →
write frame (`frame`, `run`), and the store that lists and loads what was imported (`store`)."""
