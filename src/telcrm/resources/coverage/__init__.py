"""Network coverage."""
