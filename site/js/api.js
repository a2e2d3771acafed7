// Talk to the API: one URL setting, ETag revalidation, Cache-Control and the one error shape.
import { API_BASE } from "../config.js";

const base = API_BASE.replace(/\/+$/, "");

/** The URL of an API path: absolute under API_BASE, else relative to this page (same origin). */
export function apiUrl(path) {
  return base ? base + path : path.replace(/^\//, "");
}

/** An image URL from the API: Spotify's are absolute; sample covers are paths on the API. */
export function assetUrl(url) {
  if (!url) return "";
  if (/^(https?:|data:)/.test(url)) return url;
  return apiUrl(url);
}

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

function seconds(value) {
  const n = Number.parseInt(value ?? "", 10);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** max-age from a Cache-Control header, or null. */
export function maxAge(response) {
  const match = /max-age=(\d+)/.exec(response.headers.get("Cache-Control") || "");
  return match ? Number(match[1]) : null;
}

const etags = new Map(); // url -> {etag, body}

/**
 * GET a JSON path. Revalidates with If-None-Match (a 304 reuses the last body).
 * Returns {status, body, maxAge, retryAfter}; throws ApiError for error answers.
 */
export async function getJson(path, { signal } = {}) {
  const url = apiUrl(path);
  const held = etags.get(url);
  const headers = { Accept: "application/json" };
  if (held) headers["If-None-Match"] = held.etag;
  let response;
  try {
    response = await fetch(url, { headers, signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "The API could not be reached.", null);
  }
  const retryAfter = seconds(response.headers.get("Retry-After"));
  if (response.status === 304 && held) {
    return {
      status: held.status,
      body: held.body,
      maxAge: maxAge(response),
      retryAfter,
      headers: response.headers,
    };
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON (an HTML error page, an empty body): body stays null
  }
  if (!response.ok) {
    const error = body?.error ?? {};
    throw new ApiError(
      response.status,
      error.code ?? "http_" + response.status,
      error.message ?? `The API answered ${response.status}.`,
      retryAfter,
    );
  }
  const etag = response.headers.get("ETag");
  if (etag) etags.set(url, { etag, body, status: response.status });
  return {
    status: response.status,
    body,
    maxAge: maxAge(response),
    retryAfter,
    headers: response.headers,
  };
}

/** A sentence for a visitor, per error code. */
export function friendly(error) {
  switch (error.code) {
    case "reauthorization_required":
      return "The site owner needs to reconnect their Spotify account. Check back soon.";
    case "not_connected":
      return "No Spotify account is connected to this site yet.";
    case "spotify_unavailable":
      return "Spotify is unavailable right now; this will retry on its own.";
    case "budget_exhausted":
      return "This site has used today's Spotify allowance; it will catch up later.";
    case "database_unavailable":
      return "The service is briefly unavailable; retrying shortly.";
    case "network":
      return "The API could not be reached; retrying shortly.";
    default:
      return error.message || "Something went wrong.";
  }
}

const listeners = new Set();
let sample = false;

/** Note an answer's source; the sample banner listens. */
export function noteSource(body) {
  if (body?.source === "sample" && !sample) {
    sample = true;
    listeners.forEach((fn) => fn());
  }
}

export function isSample() {
  return sample;
}

export function onSample(fn) {
  if (sample) fn();
  else listeners.add(fn);
}
