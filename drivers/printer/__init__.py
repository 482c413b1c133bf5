"""printer devices: see base.py for the interface."""
