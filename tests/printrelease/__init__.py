"""Tests for printrelease."""
