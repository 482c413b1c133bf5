"""Self-service submissions (自助申报) on the kiosk: what to ask for, the draft, the commit.

``plan`` (the items filed and each material once), ``model`` (draft, committed case, receipt),
``store`` (images on disk then one transaction with the outbox message), ``remote`` (the hall
server's open cases of a person, short timeout). No Kivy.
"""
