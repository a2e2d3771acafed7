"""A catalog build's last step: audio features for every track, kept forever once fetched."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import current_app

from app.models import ArtistAlbum, ArtistCatalog, TrackFeatures
from app.spotify.gateway import gateway


def fetch_features(
    catalog: ArtistCatalog,
    check: Callable[[], None],
    report: Callable[[ArtistCatalog], None],
) -> None:
    """Fetch what is missing in provider-sized batches; `check` raises when the run must stop."""
    gw = gateway()
    ids = [t.id for a in ArtistAlbum.query(catalog.artist_id) for t in a.tracks or [] if t.id]
    known = known_features(ids)
    retry_before = datetime.now(UTC) - timedelta(days=current_app.config["CATALOG_TTL_DAYS"])
    todo = [
        i
        for i in dict.fromkeys(ids)
        if i not in known or (known[i].features is None and known[i].fetched_at < retry_before)
    ]
    catalog.features_found = sum(
        1 for i in set(ids) if i in known and known[i].features is not None
    )
    size = gw.features_batch_size
    for start in range(0, len(todo), size):
        check()
        batch = todo[start : start + size]
        found = gw.audio_features(batch)
        with TrackFeatures.batch_write() as writer:
            for track_id in batch:
                row = found.get(track_id) or {}
                writer.save(
                    TrackFeatures(
                        track_id,
                        features=row.get("features"),
                        isrc=row.get("isrc"),
                        source=gw.features_source if row else None,
                        fetched_at=datetime.now(UTC),
                    )
                )
        catalog.features_found += sum(1 for i in batch if i in found)
        catalog.save()
        report(catalog)
    catalog.features_done = True


def known_features(track_ids: list[str]) -> dict[str, TrackFeatures]:
    """Stored feature rows for these tracks (DynamoDB only, no outbound call)."""
    unique = list(dict.fromkeys(track_ids))
    return {row.track_id: row for row in TrackFeatures.batch_get(unique)} if unique else {}
