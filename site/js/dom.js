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

export function setMessage(node, text, isError = false) {
  node.textContent = text || "";
  node.classList.toggle("error", Boolean(text) && isError);
}

export const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
