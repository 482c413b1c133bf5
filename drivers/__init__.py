"""Device drivers: one package per kind of device found in the hall.

Each package holds ``base.py`` (the interface and its typed errors), the real drivers (one module
per transport or protocol) and ``simulated.py``. Nothing here imports Kivy or ``kiosk``: drivers
know bytes and devices, never citizens or screens.
"""
