"""Part V of the book, representation learning (``book/representation/``): one module per chapter."""
