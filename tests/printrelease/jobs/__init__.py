"""Tests for printrelease/jobs."""
