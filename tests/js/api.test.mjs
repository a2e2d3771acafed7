// site/js/api.js under the shipped site/config.js (API_BASE = "": the API on the page's origin).
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";

import { API_BASE } from "../../site/config.js";
import {
  ApiError,
  apiUrl,
  assetUrl,
  friendly,
  getJson,
  isSample,
  maxAge,
  noteSource,
  onSample,
} from "../../site/js/api.js";

const withHeaders = (headers) => ({ headers: new Headers(headers) });

test("precondition: the shipped config.js serves the API from the page's own origin", () => {
  assert.equal(API_BASE, "", 'the apiUrl/assetUrl expectations below assume API_BASE = ""');
});

describe("apiUrl", () => {
  test("same origin: relative to the page, so the site also works under a stage path", () => {
    assert.equal(apiUrl("/api/now-playing"), "api/now-playing");
    assert.equal(apiUrl("/openapi.json"), "openapi.json");
  });

  test("a path without a leading slash is kept as it is", () => {
    assert.equal(apiUrl("api/status"), "api/status");
  });

  test("query strings pass through untouched", () => {
    assert.equal(
      apiUrl("/api/top/artists?time_range=short_term&limit=10"),
      "api/top/artists?time_range=short_term&limit=10",
    );
  });
});

describe("assetUrl", () => {
  test("Spotify's absolute image URLs and data: URLs are kept", () => {
    assert.equal(assetUrl("https://i.scdn.co/image/ab67"), "https://i.scdn.co/image/ab67");
    assert.equal(assetUrl("http://example.com/a.jpg"), "http://example.com/a.jpg");
    assert.equal(assetUrl("data:image/svg+xml;base64,AA=="), "data:image/svg+xml;base64,AA==");
  });

  test("a path on the API (the sample covers) goes through apiUrl", () => {
    assert.equal(assetUrl("/sample/covers/1.svg"), "sample/covers/1.svg");
  });

  test("no URL gives an empty string", () => {
    assert.equal(assetUrl(""), "");
    assert.equal(assetUrl(null), "");
    assert.equal(assetUrl(undefined), "");
  });
});

describe("maxAge", () => {
  test("reads max-age from Cache-Control", () => {
    assert.equal(maxAge(withHeaders({ "Cache-Control": "public, max-age=30" })), 30);
    assert.equal(maxAge(withHeaders({ "Cache-Control": "max-age=0, must-revalidate" })), 0);
  });

  test("s-maxage is not max-age", () => {
    assert.equal(maxAge(withHeaders({ "Cache-Control": "public, s-maxage=600, max-age=5" })), 5);
    assert.equal(maxAge(withHeaders({ "Cache-Control": "s-maxage=600" })), null);
  });

  test("null without a usable max-age", () => {
    assert.equal(maxAge(withHeaders({})), null);
    assert.equal(maxAge(withHeaders({ "Cache-Control": "no-store" })), null);
    assert.equal(maxAge(withHeaders({ "Cache-Control": "max-age=soon" })), null);
    assert.equal(maxAge(withHeaders({ "Cache-Control": "max-age=-5" })), null);
  });
});

describe("friendly", () => {
  test("a sentence per known error code", () => {
    for (const code of [
      "reauthorization_required",
      "not_connected",
      "spotify_unavailable",
      "budget_exhausted",
      "database_unavailable",
      "network",
    ]) {
      const text = friendly(new ApiError(503, code, "raw message", null));
      assert.notEqual(text, "raw message", code);
      assert.match(text, /^[A-Z].*\.$/, code);
    }
  });

  test("unknown codes fall back to the API's message, then to a generic sentence", () => {
    assert.equal(
      friendly(new ApiError(400, "bad_request", "limit must be 1-50", null)),
      "limit must be 1-50",
    );
    assert.equal(friendly(new ApiError(400, "bad_request", "", null)), "Something went wrong.");
  });
});

describe("getJson", () => {
  const realFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  /** A fetch that answers each call with the next Response and records what was asked. */
  function fakeFetch(...answers) {
    const calls = [];
    globalThis.fetch = async (url, init) => {
      calls.push({ url, headers: init.headers });
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next;
    };
    return calls;
  }

  const json = (status, body, headers = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "Content-Type": "application/json", ...headers },
    });

  test("a 200 answer: body, status, max-age and the page-relative URL", async () => {
    const calls = fakeFetch(json(200, { ok: 1 }, { "Cache-Control": "max-age=15" }));
    const answer = await getJson("/api/plain");
    assert.deepEqual(answer.body, { ok: 1 });
    assert.equal(answer.status, 200);
    assert.equal(answer.maxAge, 15);
    assert.equal(answer.retryAfter, null);
    assert.equal(calls[0].url, "api/plain");
    assert.equal(calls[0].headers.Accept, "application/json");
    assert.equal(calls[0].headers["If-None-Match"], undefined);
  });

  test("an ETag is revalidated with If-None-Match and a 304 reuses the last body", async () => {
    const calls = fakeFetch(
      json(200, { n: 1 }, { ETag: '"v1"' }),
      new Response(null, { status: 304, headers: { "Cache-Control": "max-age=20" } }),
    );
    await getJson("/api/etagged");
    const again = await getJson("/api/etagged");
    assert.equal(calls[1].headers["If-None-Match"], '"v1"');
    assert.deepEqual(again.body, { n: 1 });
    assert.equal(again.status, 200);
    assert.equal(again.maxAge, 20);
  });

  test("a 202 answer's status is kept through a 304", async () => {
    fakeFetch(
      json(202, { status: "building" }, { ETag: '"b"' }),
      new Response(null, { status: 304 }),
    );
    await getJson("/api/building");
    assert.equal((await getJson("/api/building")).status, 202);
  });

  test("the API's error shape becomes an ApiError with its code, message and Retry-After", async () => {
    fakeFetch(
      json(
        503,
        { error: { code: "spotify_unavailable", message: "Spotify is down" } },
        { "Retry-After": "42" },
      ),
    );
    await assert.rejects(getJson("/api/err"), (error) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 503);
      assert.equal(error.code, "spotify_unavailable");
      assert.equal(error.message, "Spotify is down");
      assert.equal(error.retryAfter, 42);
      return true;
    });
  });

  test("an error answer that isn't JSON (a proxy's HTML page) still gets a code and message", async () => {
    fakeFetch(
      new Response("<h1>Bad gateway</h1>", { status: 502, headers: { "Retry-After": "soon" } }),
    );
    await assert.rejects(getJson("/api/html"), {
      status: 502,
      code: "http_502",
      message: "The API answered 502.",
      retryAfter: null,
    });
  });

  test("a network failure is an ApiError with code network; an abort is passed through", async () => {
    fakeFetch(new TypeError("fetch failed"));
    await assert.rejects(getJson("/api/down"), { status: 0, code: "network" });
    const abort = new DOMException("The operation was aborted.", "AbortError");
    fakeFetch(abort);
    await assert.rejects(getJson("/api/down"), (error) => error === abort);
  });
});

test("sample mode: listeners hear about it once, and late listeners are told at once", () => {
  let heard = 0;
  onSample(() => (heard += 1));
  noteSource({ source: "spotify" });
  noteSource(null);
  assert.equal(isSample(), false);
  assert.equal(heard, 0);
  noteSource({ source: "sample" });
  noteSource({ source: "sample" });
  assert.equal(isSample(), true);
  assert.equal(heard, 1);
  let late = 0;
  onSample(() => (late += 1));
  assert.equal(late, 1);
});
