"""Tests for stations."""
