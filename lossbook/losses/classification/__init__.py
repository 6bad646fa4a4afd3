"""Part III of the book, classification (``book/classification/``): one module per chapter."""
