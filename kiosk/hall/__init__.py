"""The hall server: the back office that receives what every kiosk of a hall records.

Kiosks send tickets, cases with material photos, ratings, locker events and heartbeats over HTTP
(``/api/v1``, see ``config/hall-openapi.json``); the server stores each exactly once (idempotent
inbox), lets staff act on them and notifies applicants. This package must never import the Kivy
screens layer: the server runs on a machine without a display.
"""
