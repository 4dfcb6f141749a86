"""Stage 4, publishing: the book build (papermill → Jupyter Book → swap), the briefing, PDF, the browser."""
