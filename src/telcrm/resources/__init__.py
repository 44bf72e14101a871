"""Number pool."""
