"""The event days: who came (check-in at the desk or by oneself), which meetings did not take
place (no-shows), and each participant's Today page."""
