"""Messaging: SMS, e-mail and WhatsApp campaigns to the clients inside a map selection.

A campaign renders one message per contact, materialises one Delivery per
recipient (unique per campaign and person) and sends them through Celery with
per-provider rate limits. See services.py for the delivery state machine.
"""
