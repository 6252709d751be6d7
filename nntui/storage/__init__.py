"""Saved runs on disk and what a run exports to."""
