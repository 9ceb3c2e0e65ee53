"""A participant's agenda: their published meetings."""
