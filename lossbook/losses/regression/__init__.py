"""Part II of the book, regression (``book/regression/``): one module per chapter."""
