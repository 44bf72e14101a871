"""Product catalog."""
