"""Domain services: plain functions the blueprints call; caching and quota policy live here."""
