// Small DOM helpers: text is always set with textContent, never parsed as HTML.
import { assetUrl } from "./api.js";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** Pick the smallest image at least `size` px wide, else the largest. */
export function imageUrl(images, size = 64) {
  const sorted = [...(images || [])].sort((a, b) => (a.width || 0) - (b.width || 0));
  const found = sorted.find((i) => (i.width || 0) >= size) || sorted[sorted.length - 1];
  return found ? assetUrl(found.url) : "";
}

export function cover(images, size, alt = "") {
  const src = imageUrl(images, size);
  const img = el("img", { alt, width: size, height: size, loading: "lazy", decoding: "async" });
  if (src) img.src = src;
  return img;
}

export function link(text, url, className) {
  return url
    ? el("a", { href: url, class: className, text, rel: "noopener", target: "_blank" })
    : el("span", { class: className, text });
}

export function artistNames(item) {
  if (item?.type === "episode") return item.show?.name ?? "Podcast";
  return (item?.artists || []).map((a) => a.name).join(", ");
}

export function clock(ms) {
  const total = Math.max(0, Math.floor((ms || 0) / 1000));
  const m = Math.floor(total / 60);
  const s = String(total % 60).padStart(2, "0");
  return `${m}:${s}`;
}

const units = [
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];
const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

export function ago(iso, now = Date.now()) {
  const seconds = (now - Date.parse(iso)) / 1000;
  for (const [unit, size] of units) {
    if (seconds >= size) return rtf.format(-Math.floor(seconds / size), unit);
  }
  return "just now";
}

export function setMessage(node, text, isError = false) {
  node.textContent = text || "";
  node.classList.toggle("error", Boolean(text) && isError);
}

export const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
