"""Catalog rules."""
