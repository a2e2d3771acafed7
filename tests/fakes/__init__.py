"""Spec-conforming Spotify fakes shared by tests and the sample-data generator."""
