// The one setting: where the API lives. "" = the same origin that serves this page.
// For a static host, set the API's URL, e.g. "https://api.example.com" (and add this site's
// origin to the API's CORS_ORIGINS).
export const API_BASE = "";
