"""Progress lookup (办件查询) at the kiosk: reading a case's state from the hall server, keeping
the last answer for when the server cannot be reached, and the kiosk's own not-yet-synced cases.

What lives here is plain Python the flow (``kiosk.flows.progress``) calls off the UI thread.
Nothing here may import Kivy, store or send a clear ID number or name, or write to the outbox.
"""
