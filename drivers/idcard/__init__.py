"""idcard devices: see base.py for the interface."""
