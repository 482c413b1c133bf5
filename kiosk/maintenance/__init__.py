"""Maintenance mode: what a technician at the kiosk (or over a shell) needs to keep it running.

The technician PIN (``pins``), the day's counters (``counters``), the health report
(``report``), the site-file changes applied without a restart (``desk``), the logs
(``logs``) and the command line (``cli``: ``kiosk maintenance set-pin``, ``kiosk health``).
Nothing here ever stores, logs or reports a citizen's data, and nothing imports Kivy.
"""
