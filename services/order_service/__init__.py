"""Order service: takes orders over HTTP, asks the kitchen to prepare them, tracks their status."""
