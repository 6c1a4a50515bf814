"""Timing benchmarks (what a step or a frame costs, where its time goes); results go to docs/RESULTS.md with their
commands, never into tests."""
