"""The only package that talks to Spotify (and the audio-features provider) or imports spotipy."""
