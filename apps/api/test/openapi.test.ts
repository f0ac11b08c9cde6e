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

  it("each example request body is accepted by the real route", async () => {
    const examples = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.requestBody)
        .map(([method, op]) => ({ method, path, body: op.requestBody!.content["application/json"].example })),
    );
    expect(examples).toHaveLength(4);
    for (const { method, path, body } of examples) {
      const res = await stack.call(method.toUpperCase(), path, { body });
      expect([200, 202], `${method} ${path}: ${await res.clone().text()}`).toContain(res.status);
    }
  });

  it("GET /docs serves a browsable reference of it", async () => {
    const res = await fetch(`${stack.apiUrl}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toContain("/openapi.json");
  });
});
