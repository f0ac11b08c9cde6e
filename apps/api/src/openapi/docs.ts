import { Scalar } from "@scalar/hono-api-reference";
import type { Hono } from "hono";
import { buildOpenApiDocument } from "./document.ts";

/** GET /openapi.json (OpenAPI 3.1) and GET /docs (a browsable reference, Scalar). */
export function registerDocs(app: Hono): void {
  const document = buildOpenApiDocument();
  app.get("/openapi.json", (c) => c.json(document));
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "deskgate API" }));
}
