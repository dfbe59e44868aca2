"""Tests for accounts: logins and passwords."""
