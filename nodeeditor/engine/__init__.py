"""Runs sessions: runner, worker, invocation context, events, stats, cache. No Qt."""
