"""SIM and terminal stock."""
