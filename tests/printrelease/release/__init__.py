"""Tests for printrelease/release."""
