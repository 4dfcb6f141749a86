"""Stage 3, how the book shows it: style, charts, tables, display helpers, chapter sections, templates."""
