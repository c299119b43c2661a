"""The demo snapshot shipped with kaudit (``kaudit scan --demo``)."""
