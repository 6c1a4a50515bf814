"""Timing tools: what a tracker's work costs, measured side by side on the same inputs (benchmarks, not tests)."""
