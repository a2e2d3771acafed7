"""Benchmarks: Spotify-call counts and speed, each reported against a baseline from the same run."""
