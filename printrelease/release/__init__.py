"""Releasing held jobs to a printer exactly once, and following them until CUPS says how they ended."""
