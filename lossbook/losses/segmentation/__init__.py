"""Part IV of the book, segmentation (``book/segmentation/``): one module per chapter."""
