"""The inventory service: stock per pizza, reserved for orders and released when they fail."""
