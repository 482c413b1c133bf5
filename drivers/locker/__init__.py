"""locker devices: see base.py for the interface."""
