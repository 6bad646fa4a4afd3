"""Part VI of the book, rankings and sequences (``book/structured/``): one module per chapter."""
