"""The benchmark client: pure statistics and token counting, and runs against the local runtime stand-in."""
