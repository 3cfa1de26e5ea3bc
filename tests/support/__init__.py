"""Helpers shared by the test suites of both environments (standard library only)."""
