"""Tests for integration."""
