"""Tests for machine credentials."""
