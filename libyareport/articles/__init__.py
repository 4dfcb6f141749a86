"""Adding a new article: extract text and metadata, propose candidate claims, accept reviewed ones.

`add FILE` keeps the document in data/raw/, writes data/sources/ID.md and proposes candidate
claims in data/review/ID.csv; `accept ID` merges the rows a reviewer marked `accept` into the
claim tables after validating the result exactly as `check` does.
"""
