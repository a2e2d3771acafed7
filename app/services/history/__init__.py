"""The owner's listening history: import of Spotify's export, the live archive, statistics."""
