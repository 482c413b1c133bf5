"""Subcommands of ``kiosk`` that belong to the application as a whole."""
