"""The organiser's pages: event settings, participants, CSV import/export, dashboard."""
