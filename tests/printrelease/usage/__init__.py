"""Tests of usage records and corrections."""
