"""Analytics service: counts how many orders, and how many of each pizza, are confirmed."""
