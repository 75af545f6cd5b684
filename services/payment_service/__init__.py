"""The payment service: one payment per order, charged once, refunded at most once."""
