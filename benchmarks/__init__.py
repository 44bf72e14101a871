"""Benchmarks run by ``make bench`` (benchmarks/run.py); figures against baselines of the same run."""
