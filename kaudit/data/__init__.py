"""Data files: knowledge tables kaudit reads (see each file's header)."""
