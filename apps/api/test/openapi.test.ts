import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiPath, REST_ROUTES } from "../src/routes/table.ts";
import { seedMirror } from "./support/seed.ts";
import { type Stack, startStack } from "./support/stack.ts";

interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: { "application/json": { example: unknown } } };
  responses: Record<string, { content?: { "application/json": { schema: unknown } } }>;
}
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

let stack: Stack;
let doc: Doc;
beforeAll(async () => {
  stack = await startStack({ worker: false, syncTimeoutMs: 100 });
  await seedMirror(stack);
  const res = await fetch(`${stack.apiUrl}/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Doc;
});
afterAll(async () => {
  await stack?.stop();
});

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("documents every REST path and method of the router, and nothing else", () => {
    const routed = REST_ROUTES.flatMap((r) => r.methods.map((m) => `${m} ${openApiPath(r.path)}`)).sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(routed);
  });

  it("names the headers, success and error envelopes of every operation", () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const headers = (op.parameters ?? []).filter((p) => p.in === "header").map((p) => p.name);
        expect(headers, `${method} ${path}`).toEqual(
          expect.arrayContaining(["Authorization", "X-API-Key", "Accept-Language", "X-Request-Id"]),
        );
        if (method !== "get") expect(headers, `${method} ${path}`).toContain("Idempotency-Key");
        for (const code of ["200", "401", "403", "429", "500", "503"]) {
          expect(
            op.responses[code]?.content?.["application/json"].schema,
            `${method} ${path} ${code}`,
          ).toBeDefined();
        }
      }
    }
  });

  it("gives every operation a unique operationId and every tag a description", () => {
    const full = doc as Doc & {
      tags: { name: string; description?: string }[];
      webhooks: Record<string, { post: { operationId: string; tags: string[] } }>;
    };
    const ops = [
      ...Object.values(doc.paths).flatMap((ops) => Object.values(ops)),
      ...Object.values(full.webhooks).map((w) => w.post),
    ] as unknown as { operationId?: string; tags: string[] }[];
    const ids = ops.map((op) => op.operationId);
    expect(
      ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z]+$/.test(id)),
      String(ids),
    ).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const described = new Map(full.tags.map((t) => [t.name, t.description]));
    for (const op of ops) for (const tag of op.tags) expect(described.get(tag), tag).toMatch(/\w/);
  });

  it("describes the callbacks as webhooks, one per task kind that posts one, typed by kind", () => {
    const webhooks = (doc as unknown as { webhooks: Record<string, unknown> }).webhooks;
    expect(Object.keys(webhooks).sort()).toEqual([
      "desktop.apply",
      "desktop.delete",
      "desktop.lease",
      "desktop.policy_update",
      "desktop.power",
      "desktop.rebuild",
      "desktop.resource_update",
      "lease.delete",
      "lease.expire",
      "lease.expiring",
      "user.lock",
      "user.offboard",
      "user.unlock",
    ]);
    const apply = JSON.stringify(webhooks["desktop.apply"]);
    for (const field of ["username", "password", "desktop_uuid", "desktop_name", "new_user"])
      expect(apply).toContain(`"${field}"`);
  });

  it("each example request body is accepted by the real route", async () => {
    const examples = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.requestBody)
        .map(([method, op]) => ({ method, path, body: op.requestBody!.content["application/json"].example })),
    );
    expect(examples).toHaveLength(11);
    for (const { method, path, body } of examples) {
      const res = await stack.call(method.toUpperCase(), path, { body });
      expect([200, 202], `${method} ${path}: ${await res.clone().text()}`).toContain(res.status);
    }
  });

  it("GET /docs serves a browsable reference of it, every file from the api itself", async () => {
    const res = await fetch(`${stack.apiUrl}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'; script-src 'self';/);
    const html = await res.text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    expect(refs.every((r) => r.startsWith("/docs/assets/"))).toBe(true); // no CDN, no other origin
    expect(html).not.toMatch(/<script>|<style>|style="/); // nothing inline for the CSP to allow
    const bodies = await Promise.all(
      refs.map(async (r) => {
        const asset = await fetch(`${stack.apiUrl}${r}`);
        expect(asset.status, r).toBe(200);
        expect(asset.headers.get("cache-control")).toContain("immutable");
        return asset.text();
      }),
    );
    expect(bodies.some((b) => b.includes('url: "/openapi.json"'))).toBe(true);
    // Only the renderer's own files: nothing else of the package or the disk.
    const base = refs[0]!.slice(0, refs[0]!.lastIndexOf("/"));
    for (const other of ["package.json", "index.html", "..%2F..%2Fpackage.json"]) {
      const miss = await fetch(`${stack.apiUrl}${base}/${other}`);
      expect(miss.status, other).toBe(404);
      expect(await miss.json()).toMatchObject({ status: -1 }); // the GET envelope
    }
  });
});
