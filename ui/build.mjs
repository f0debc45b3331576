// Bundles the UI into OUT_DIR (argument 1, default dist/): index.html, app.js, style.css.
// Run by `npm run build` and by CMake (cmake/ui.cmake), which embeds OUT_DIR in the dls binary.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? join(here, "dist");
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, "src", "main.ts")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  outfile: join(out, "app.js"),
  logLevel: "warning",
  legalComments: "none",
});
for (const f of ["index.html", "style.css"]) copyFileSync(join(here, "static", f), join(out, f));
