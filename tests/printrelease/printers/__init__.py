"""Tests of printrelease.printers."""
