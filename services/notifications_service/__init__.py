"""Notifications service: tells each customer, once, that their order is confirmed."""
