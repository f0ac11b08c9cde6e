import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Hono } from "hono";
import { buildOpenApiDocument } from "./document.ts";

/**
 * The renderer behind /docs: Swagger UI from the pinned `swagger-ui-dist` dependency, its files
 * served by the api itself, so the page works with no internet access and loads nothing from
 * elsewhere. The asset paths carry the package's version, so browsers may cache them for good.
 */
const require = createRequire(import.meta.url);
const SWAGGER_DIR = dirname(require.resolve("swagger-ui-dist/package.json"));
const SWAGGER_VERSION = (require("swagger-ui-dist/package.json") as { version: string }).version;
const ASSETS = `/docs/assets/${SWAGGER_VERSION}`;

/** Our start-up script (a file, not inline, so the page's CSP can forbid inline script). */
const INIT_JS = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
  tryItOutEnabled: false,
  withCredentials: false,
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>deskgate API</title>
<link rel="stylesheet" href="${ASSETS}/swagger-ui.css">
<link rel="icon" type="image/png" href="${ASSETS}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${ASSETS}/swagger-ui-bundle.js"></script>
<script src="${ASSETS}/init.js"></script>
</body>
</html>
`;

/** Only these files are served from the package (no directory listing, no path from the URL). */
const FILES: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

/**
 * Everything the page needs comes from this origin: scripts and styles only as files (no inline
 * code), images also as data: URIs (Swagger UI's icons), fetches only to /openapi.json and, with
 * "Try it out", the api itself.
 */
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const DOCS_HEADERS = {
  "Content-Security-Policy": DOCS_CSP,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
};

/** GET /openapi.json (OpenAPI 3.1) and GET /docs (a browsable reference, Swagger UI). */
export function registerDocs(app: Hono): void {
  const document = buildOpenApiDocument();
  const cache = new Map<string, Buffer>();
  const asset = (name: string): Buffer => {
    let body = cache.get(name);
    if (!body) {
      body = name === "init.js" ? Buffer.from(INIT_JS) : readFileSync(join(SWAGGER_DIR, name));
      cache.set(name, body);
    }
    return body;
  };

  app.get("/openapi.json", (c) => c.json(document));
  app.get("/docs", (c) => c.html(PAGE, 200, { ...DOCS_HEADERS, "Cache-Control": "no-cache" }));
  app.get(`${ASSETS}/:file`, (c) => {
    const file = c.req.param("file");
    const type = file === "init.js" ? "text/javascript; charset=utf-8" : FILES[file];
    if (!type) return c.notFound();
    return c.body(new Uint8Array(asset(file)), 200, {
      ...DOCS_HEADERS,
      "Content-Type": type,
      "Cache-Control": "public, max-age=31536000, immutable",
    });
  });
}
