"""kaudit's built-in rule packs, one subpackage per family.

Each pack is registered through the ``kaudit.rules`` entry-point group in ``pyproject.toml``,
exactly as a third-party pack would be.
"""
