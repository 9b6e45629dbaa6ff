"""What to measure (metric definitions), separate from when to page (alarms) and how to show it."""

from llm_hosting.monitoring.metrics import MetricSpec

__all__ = ["MetricSpec"]
