"""Budget trackers: the tracker's layout and arithmetic (``tracker``), and reading a tracker back (``summary``)."""
