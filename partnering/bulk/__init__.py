"""Bulk actions on an event as background jobs: one job model, one runner, one progress page."""
