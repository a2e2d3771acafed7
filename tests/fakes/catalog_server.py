"""Spotify's catalog endpoints and ReccoBeats faked on a `responses` mock, with call accounting.

Serves any offset of a Discography and any batch of track ids, counts every call per URL (so a
test can prove nothing was fetched twice), and can be told to fail chosen calls.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import responses

from tests.fakes.catalog import API
from tests.fakes.discography import Discography, reccobeats_features

RECCOBEATS = "https://api.reccobeats.com/v1"
Answer = tuple[int, dict[str, str], str]


class CatalogServer:
    """Answers GET /artists/{id}/albums, /albums/{id}/tracks and ReccoBeats /audio-features."""

    def __init__(
        self,
        mock: responses.RequestsMock,
        disco: Discography,
        missing: Iterable[str] = (),
        reccobeats: bool = True,
    ) -> None:
        self.disco = disco
        self.missing = set(missing)
        self.calls: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.failures: dict[tuple[str, int], Answer] = {}
        aid = re.escape(disco.artist["id"])
        mock.add_callback(
            responses.GET, re.compile(rf"{API}/artists/{aid}/albums.*"), callback=self._albums
        )
        mock.add_callback(
            responses.GET, re.compile(rf"{API}/albums/\w+/tracks.*"), callback=self._tracks
        )
        if reccobeats:
            mock.add_callback(
                responses.GET,
                re.compile(rf"{RECCOBEATS}/audio-features.*"),
                callback=self._features,
            )

    def fail(
        self,
        kind: str,
        nth: int,
        status: int,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> None:
        """Make the nth call (1-based) of a kind ('albums', 'tracks', 'features') fail."""
        self.failures[(kind, nth)] = (status, headers or {}, json.dumps(body or {}))

    def _record(self, kind: str, request) -> tuple[Answer | None, dict[str, list[str]]]:
        self.kinds[kind] += 1
        failure = self.failures.get((kind, self.kinds[kind]))
        if failure is None:
            self.calls[request.url] += 1
        return failure, parse_qs(urlsplit(request.url).query)

    def _albums(self, request) -> Answer:
        failure, query = self._record("albums", request)
        if failure:
            return failure
        assert query["limit"] == ["10"] and query["include_groups"] == ["album,single"]
        page = self.disco.album_pages[int(query.get("offset", ["0"])[0]) // 10]
        return 200, {}, json.dumps(page)

    def _tracks(self, request) -> Answer:
        failure, query = self._record("tracks", request)
        if failure:
            return failure
        assert query["limit"] == ["50"]
        album_id = urlsplit(request.url).path.rstrip("/").split("/")[-2]  # spotipy adds a slash
        page = self.disco.track_pages[album_id][int(query.get("offset", ["0"])[0]) // 50]
        return 200, {}, json.dumps(page)

    def _features(self, request) -> Answer:
        failure, query = self._record("features", request)
        if failure:
            return failure
        ids = query["ids"][0].split(",")
        assert len(ids) <= 40, "ReccoBeats takes at most 40 ids"
        answer = reccobeats_features(ids, self.missing, self.disco.isrcs)
        return 200, {}, json.dumps(answer)

    def lower_bound(self, batch: int = 40) -> int:
        """Album pages + track pages + feature batches: the fewest calls a full build needs."""
        pages = len(self.disco.album_pages)
        tracks = sum(len(p) for p in self.disco.track_pages.values())
        ids = len(set(self.disco.track_ids))
        return pages + tracks + -(-ids // batch)

    @property
    def total(self) -> int:
        return sum(self.kinds.values())
