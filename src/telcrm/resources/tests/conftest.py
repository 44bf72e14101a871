from ._fixtures import pool  # noqa: F401
