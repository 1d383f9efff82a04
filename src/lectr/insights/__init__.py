"""Insights: period math, latency percentiles, breakdowns and provider health, read only through the Store."""
