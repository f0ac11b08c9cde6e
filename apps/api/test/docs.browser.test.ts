import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, missingChromium } from "./support/browser.ts";
import { startStack } from "./support/stack.ts";

/**
 * /docs in a real headless Chromium with nothing but the api to talk to: every request that
 * does not go to the api's own 127.0.0.1 address is refused and counted, so the page proves it
 * renders offline. It must show one operation per operation of /openapi.json, each with its
 * summary, with no failed request, no script error and no CSP violation.
 * A screenshot is written to test-results/docs.png.
 */
const SCREENSHOT = fileURLToPath(new URL("../../../test-results/docs.png", import.meta.url));
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];
const MISSING_CHROMIUM = missingChromium("/docs");

let stack: Awaited<ReturnType<typeof startStack>>;
let browser: Browser | undefined;

beforeAll(async () => {
  browser = await launchChromium();
  if (!browser) return; // the test itself fails, with MISSING_CHROMIUM
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("/docs in headless Chromium", () => {
  it("renders every operation of /openapi.json from the api's own files, offline", async () => {
    if (!browser) throw new Error(MISSING_CHROMIUM);
    const spec = (await (await fetch(`${stack.apiUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { summary?: string }>>;
      webhooks?: Record<string, Record<string, { summary?: string }>>;
    };
    // The REST operations and the callbacks (OpenAPI 3.1 webhooks, rendered by name).
    const expected = [...Object.entries(spec.paths), ...Object.entries(spec.webhooks ?? {})]
      .flatMap(([path, item]) =>
        METHODS.filter((m) => item[m]).map((m) =>
          `${m.toUpperCase()} ${path} ${item[m]!.summary ?? ""}`.trim(),
        ),
      )
      .sort();
    expect(expected.length).toBeGreaterThan(20);
    expect(Object.keys(spec.webhooks ?? {}).length).toBeGreaterThan(0);

    const origin = new URL(stack.apiUrl).origin;
    expect(new URL(origin).hostname).toBe("127.0.0.1");
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const requests: string[] = [];
    const outside: string[] = [];
    const problems: string[] = [];
    // The network as offline as it gets: anything not for the api is aborted (and reported).
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`)) return route.continue();
      outside.push(url);
      return route.abort("internetdisconnected");
    });
    const page = await context.newPage();
    page.on("request", (r) => requests.push(r.url()));
    page.on("requestfailed", (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });

    const answer = await page.goto(`${stack.apiUrl}/docs`, { waitUntil: "load" });
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()["content-security-policy"]).toContain("script-src 'self'");
    const operations = page.locator(".opblock");
    await page.locator(".opblock").first().waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      `document.querySelectorAll(".opblock").length >= ${expected.length}`,
      undefined,
      {
        timeout: 30_000,
      },
    );
    const rendered = (
      await operations.evaluateAll((blocks) =>
        blocks.map((b) => {
          const text = (sel: string) => b.querySelector(sel)?.textContent?.trim() ?? "";
          const path = b.querySelector(".opblock-summary-path")?.getAttribute("data-path") ?? "";
          return `${text(".opblock-summary-method")} ${path} ${text(".opblock-summary-description")}`.trim();
        }),
      )
    ).sort();
    expect(rendered).toEqual(expected);
    expect(await page.title()).toBe("deskgate API");

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(outside).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith("data:"))).toEqual([]);
    expect(requests).toContain(`${origin}/openapi.json`);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
