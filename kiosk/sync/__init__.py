"""The kiosk's outbox sender: posts every outbox record to the hall server, once, in order.

``SyncWorker`` (worker.py) runs in the kiosk process; ``kiosk sync status|run`` (cli.py) gives
the technician the same numbers and a manual drain. HTTP lives in client.py only, the kind →
request table in routes.py, the outbox table's claim/settle rules in outbox.py.
Never imports Kivy, screens/ or drivers/ implementations; never deletes or marks a record sent
before the hall server confirmed it. Imports nothing itself: ``kiosk`` loads this package's
command registration on every start, and httpx is not needed for ``kiosk run`` to come up.
"""
