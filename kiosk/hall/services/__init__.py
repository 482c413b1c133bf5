"""Plain-Python services over the hall database: the API and the console pages both call them.

Each function takes a SQLAlchemy ``Session`` and never commits (the caller owns the transaction);
none imports FastAPI. See ``kiosk/hall/SERVICES.md`` for the list the console relies on.
"""
