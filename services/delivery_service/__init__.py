"""Delivery service: schedules a delivery, with the decrypted address, for each confirmed delivery order."""
