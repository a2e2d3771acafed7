"""`flask history import`: Spotify's export in, once, without a trace of where it was played."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from app.models import Entity, Play, Rollup
from tests.fakes import exports as ex

T0 = datetime(2024, 5, 3, 18, 0, tzinfo=UTC)


def run_import(runner, *paths):
    result = runner.invoke(args=["history", "import", *map(str, paths)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout[result.stdout.index("{") :]), result


def test_extended_and_short_formats_are_read_and_counted(runner, tmp_path):
    files = {
        "Streaming_History_Audio_2024_0.json": [
            ex.extended(T0, 200_000, "One", "Band", "LP"),
            ex.extended(T0 + timedelta(minutes=4), 12_000, "Two", "Band", "LP", skipped=True),
            ex.extended(T0 + timedelta(minutes=9), 1_800_000, episode="Ep 1", show="The Show"),
        ],
        "StreamingHistory_music_0.json": [ex.short(T0 + timedelta(days=1), 95_000, "Three")],
    }
    summary, _ = run_import(runner, *ex.write(tmp_path, files))
    assert summary == {"added": 4, "duplicates": 0, "rejected": 0}
    plays = {p.track: p for p in Play.scan()}
    assert plays["One"].ms == 200_000 and plays["One"].source == "export"
    assert plays["One"].track_id and plays["Two"].skipped is True
    assert plays["Ep 1"].kind == "episode" and plays["Ep 1"].artist == "The Show"
    assert plays["Three"].source == "account" and plays["Three"].ended_at.endswith(":00.000Z")


def test_nothing_personal_reaches_any_table(runner, tmp_path):
    entries = [ex.extended(T0 + timedelta(minutes=5 * i), 180_000, f"T{i}") for i in range(20)]
    archive = ex.zipped(tmp_path / "my_spotify_data.zip", {"endsong_0.json": entries})
    run_import(runner, archive)
    assert len(list(Play.scan())) == 20
    assert ex.personal_values_in_tables() == []
    assert "4111" not in ex.tables_text()  # Payments.json in the same zip was never opened


def test_importing_twice_adds_nothing(runner, tmp_path):
    entries = [ex.extended(T0 + timedelta(minutes=4 * i), 150_000, f"T{i}") for i in range(30)]
    paths = ex.write(tmp_path, {"Streaming_History_Audio_2024_0.json": entries})
    first, _ = run_import(runner, *paths)
    rollups_before = {r.period: r.data for r in Rollup.scan()}
    again, _ = run_import(runner, *paths)
    assert first["added"] == 30 and again == {"added": 0, "duplicates": 30, "rejected": 0}
    assert {r.period: r.data for r in Rollup.scan()} == rollups_before
    assert len(list(Play.scan())) == 30


def test_the_same_play_from_two_exports_is_kept_once_within_90_seconds(runner, tmp_path):
    files = {
        "Streaming_History_Audio_2024_0.json": [
            ex.extended(T0 + timedelta(seconds=40), 200_000, "Same", "Band"),
            ex.extended(T0 + timedelta(minutes=20), 200_000, "Same", "Band"),  # played again
        ],
        "StreamingHistory_music_0.json": [
            ex.short(T0, 200_000, "Same", "Band"),  # 18:00 in minutes, 40 s from 18:00:40
            ex.short(T0 + timedelta(minutes=40), 200_000, "Same", "Band"),  # a third play
        ],
    }
    summary, _ = run_import(runner, *ex.write(tmp_path, files))
    assert summary["added"] == 3 and summary["duplicates"] == 1


def test_bad_entries_are_named_and_the_rest_imported(runner, tmp_path):
    good = [ex.extended(T0 + timedelta(minutes=i * 4), 100_000, f"G{i}") for i in range(3)]
    bad = [
        *good[:1],
        ex.extended(T0, 100_000, ts="yesterday"),
        "not an entry",
        ex.extended(T0, -5),
        *good[1:],
        ex.extended(T0, 100_000, track=None),
    ]
    paths = ex.write(tmp_path, {"Streaming_History_Audio_2024_0.json": bad})
    (tmp_path / "Streaming_History_Audio_2024_1.json").write_text("{broken")
    summary, result = run_import(runner, *paths, tmp_path / "Streaming_History_Audio_2024_1.json")
    assert summary == {"added": 3, "duplicates": 0, "rejected": 5}
    for index in (1, 2, 3, 6):
        assert f"Streaming_History_Audio_2024_0.json, entry {index}:" in result.stderr
    assert "Streaming_History_Audio_2024_1.json, the whole file: the file is not JSON" in (
        result.stderr
    )


def test_after_fixing_a_bad_entry_a_rerun_completes_the_import(runner, tmp_path):
    entries = [ex.extended(T0 + timedelta(minutes=i * 4), 100_000, f"F{i}") for i in range(4)]
    broken = [*entries[:2], {**entries[2], "ms_played": "lots"}, entries[3]]
    path = ex.write(tmp_path, {"Streaming_History_Audio_2024_0.json": broken})[0]
    assert run_import(runner, path)[0] == {"added": 3, "duplicates": 0, "rejected": 1}
    path.write_text(json.dumps(entries))
    assert run_import(runner, path)[0] == {"added": 1, "duplicates": 3, "rejected": 0}
    assert len(list(Play.scan())) == 4


def test_a_file_that_is_not_streaming_history_is_refused_by_name(runner, tmp_path):
    (tmp_path / "Userdata.json").write_text("{}")
    result = runner.invoke(args=["history", "import", str(tmp_path / "Userdata.json")])
    assert result.exit_code != 0 and "not a streaming-history file" in result.output


def test_names_are_kept_for_what_statistics_show(runner, tmp_path):
    run_import(runner, *ex.write(tmp_path, {"endsong_0.json": [ex.extended(T0, 90_000)]}))
    names = {e.name for e in Entity.scan()}
    assert {"Song", "Artist", "Album"} <= names
