"""Locust, headless and as a library: N requests over a weighted path list, stats as JSON.

Run in its own process (locust patches the standard library with gevent on import):
    python bench/load_client.py BASE_URL REQUESTS USERS PATH[=WEIGHT] ...
A response counts as an error unless it is 200, 202 or 304.
"""

from __future__ import annotations

import json
import random
import sys
import time

import gevent
from locust import FastHttpUser, constant, task
from locust.env import Environment

OK = {200, 202, 304}


def main(base: str, total: int, users: int, specs: list[str]) -> dict:
    paths, weights = [], []
    for spec in specs:
        path, _, weight = spec.rpartition("=")
        if not weight.isdigit():
            path, weight = spec, "1"
        paths.append(path)
        weights.append(int(weight))

    class SiteVisitor(FastHttpUser):
        host = base
        wait_time = constant(0)

        @task
        def visit(self) -> None:
            path = random.choices(paths, weights)[0]
            with self.client.get(path, name=path, catch_response=True) as response:
                if response.status_code not in OK:
                    response.failure(f"HTTP {response.status_code}")

    env = Environment(user_classes=[SiteVisitor])
    runner = env.create_local_runner()
    started = time.perf_counter()
    runner.start(users, spawn_rate=users)
    while env.stats.total.num_requests < total:  # failures are counted in num_requests too
        gevent.sleep(0.02)
    elapsed = time.perf_counter() - started
    runner.quit()
    stats = env.stats.total
    return {
        "requests": stats.num_requests,
        "errors": stats.num_failures,
        "seconds": round(elapsed, 3),
        "rps": round(stats.num_requests / elapsed, 1),
        "p50_ms": stats.get_response_time_percentile(0.5),
        "p99_ms": stats.get_response_time_percentile(0.99),
        "error_samples": [str(e.error) for e in list(env.stats.errors.values())[:5]],
    }


if __name__ == "__main__":
    url, n, users, *rest = sys.argv[1:]
    print(json.dumps(main(url, int(n), int(users), rest)))
