"""Multi-model endpoints: warm-up, publishing model archives, and their commands."""
