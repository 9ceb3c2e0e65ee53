"""Fixtures for the registration tests."""
