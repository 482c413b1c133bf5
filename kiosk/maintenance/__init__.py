"""Maintenance mode: what a technician at the kiosk (or over a shell) needs to keep it running.

``pins`` (the technician PIN: argon2, attempt limit, lockout), ``counters`` (the day's figures,
counted on the event bus), ``desk`` (every operation the screens and commands perform: device
changes applied without a restart, device tests, door service marks, catalogue reloads, logs,
the health report), ``report`` (the report document and its slip), ``logs`` (the log file read
back, bounded), ``detect`` (ports, USB printers and cameras plugged in), ``paper`` (a receipt's
length), ``states`` (device states on disk for ``kiosk health``), ``audit`` and ``cli``
(``kiosk maintenance set-pin``, ``kiosk health``). Nothing here ever stores, logs or reports a
citizen's data, and nothing imports Kivy or a concrete driver.
"""
