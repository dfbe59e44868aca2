"""People and their departments (cost centres)."""
