"""Telling customers how their orders move, as it happens: webhooks and WebSocket pushes."""
