"""Chaos and load runs of the local twin: kill a part while data flows, then check nothing was lost or
doubled (`make chaos`); drive rising rates through the ingest path and watch the sink's lag (`make load`)."""
