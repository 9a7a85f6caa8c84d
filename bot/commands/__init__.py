"""One module per CLI command that does more than a few lines of work."""
