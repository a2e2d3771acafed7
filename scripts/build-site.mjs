// Copy the site's third-party files from node_modules into site/vendor/ (served locally: no CDN).
import { copyFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "site", "vendor");
const files = [
  ["node_modules/chart.js/dist/chart.umd.min.js", "chart.umd.min.js"],
  ["node_modules/chart.js/LICENSE.md", "chart.js-LICENSE.md"],
];

mkdirSync(vendor, { recursive: true });
for (const [from, to] of files) {
  const source = join(root, from);
  if (!existsSync(source)) {
    console.error(`build:site: ${from} is missing; run npm ci first`);
    process.exit(1);
  }
  copyFileSync(source, join(vendor, to));
}
console.log(`build:site: copied ${files.length} files to site/vendor/`);
