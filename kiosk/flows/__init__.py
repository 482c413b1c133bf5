"""Citizen journeys as controllers: one per journey, with typed state, steps and workers.

A flow owns what a journey knows (the chosen item, the card verdict, the ticket, the print state)
as a frozen dataclass, changes it in one method that logs and publishes ``FlowChanged``, runs
slow work (database commits, printing) on a worker and comes back through the bus's dispatch
(in the app that is Kivy's Clock; in tests a plain call). Screens draw ``flow.state`` and forward
taps. Nothing in this package may import Kivy, ``screens`` or a concrete driver.
"""
