"""Kitchen service: receives orders to prepare, records them once, acknowledges them."""
