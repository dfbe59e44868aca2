"""Tests of the price lists."""
