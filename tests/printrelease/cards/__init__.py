"""Tests for cards."""
