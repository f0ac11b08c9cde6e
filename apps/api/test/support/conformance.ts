import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

interface Operation {
  responses: Record<string, { content?: { "application/json"?: { schema: unknown } } }>;
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  webhooks?: Record<
    string,
    { post: { requestBody: { content: { "application/json": { schema: unknown } } } } }
  >;
  components: Record<string, unknown>;
}

/** One answer the api gave, as a test received it. */
export interface Exchange {
  method: string;
  path: string;
  status: number;
  body: string;
}

/**
 * Checks answers (and callbacks) against the OpenAPI document the api serves: the operation
 * is found by method and path template, the response by status code, and its JSON body is
 * validated with ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses). Returns what did not match.
 */
export function createConformance(document: unknown) {
  const doc = document as Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const compiled = new Map<string, ValidateFunction>();
  // `$ref: "#/components/…"` resolves against the document root, so each schema is
  // compiled with the document's components beside it.
  const validatorFor = (key: string, schema: unknown) => {
    let v = compiled.get(key);
    if (!v) {
      v = ajv.compile({ ...(schema as object), components: doc.components });
      compiled.set(key, v);
    }
    return v;
  };
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
  }));
  const problems = (v: ValidateFunction) =>
    (v.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");

  return {
    /** Why this answer does not match the document, or null when it does. */
    check(x: Exchange): string | null {
      const pathname = x.path.split("?")[0]!;
      // Concrete paths first (/api/tasks/x is not /api/tasks/{task_id} when both exist).
      const found = templates.find((t) => t.pattern.test(pathname));
      const what = `${x.method} ${pathname} → ${x.status}`;
      if (!found) return `${what}: no path of the document matches`;
      const op = doc.paths[found.template]![x.method.toLowerCase()];
      if (!op) return `${what}: the document has no ${x.method} for ${found.template}`;
      const response = op.responses[String(x.status)];
      if (!response) return `${what}: the document lists no ${x.status} for ${x.method} ${found.template}`;
      const schema = response.content?.["application/json"]?.schema;
      if (!schema) return null;
      let body: unknown;
      try {
        body = JSON.parse(x.body);
      } catch {
        return `${what}: the body is not JSON`;
      }
      const v = validatorFor(`${x.method} ${found.template} ${x.status}`, schema);
      return v(body) ? null : `${what}: ${problems(v)} — ${x.body.slice(0, 300)}`;
    },
    /** Why this callback body does not match the document's webhook of its task kind. */
    checkCallback(kind: string, body: unknown): string | null {
      const hook = doc.webhooks?.[kind];
      if (!hook) return `callback of ${kind}: the document has no webhook for it`;
      const v = validatorFor(`webhook ${kind}`, hook.post.requestBody.content["application/json"].schema);
      return v(body) ? null : `callback of ${kind}: ${problems(v)} — ${JSON.stringify(body).slice(0, 300)}`;
    },
  };
}
