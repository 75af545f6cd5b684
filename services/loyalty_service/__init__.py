"""Loyalty service: awards points once per confirmed order."""
