"""Profile tuning: hand labels for recorded frames, template banks from them, discovery."""
