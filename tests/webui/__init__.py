"""Tests for webui."""
