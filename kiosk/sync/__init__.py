"""The kiosk's outbox sender: posts every outbox record to the hall server, once, in order.

Never imports Kivy, screens/ or drivers/; never deletes or marks a record sent before the hall
server confirmed it.
"""
