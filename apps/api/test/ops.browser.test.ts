import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { listAttempts, listDeliveries } from "@deskgate/db";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, missingChromium } from "./support/browser.ts";
import { envelopeOf, eventually } from "./support/eventually.ts";
import { startReceiver } from "./support/receiver.ts";
import { startStack } from "./support/stack.ts";

/**
 * The /ops page end to end in a real headless browser (Debian's `chromium`, driven by
 * playwright-core — no browser is downloaded): log in with the admin key, find a task whose
 * callback fails, open it, press Redeliver, and see the new attempt with trigger "manual".
 * A screenshot is written to test-results/ops.png.
 */
const SCREENSHOT = fileURLToPath(new URL("../../../test-results/ops.png", import.meta.url));

let stack: Awaited<ReturnType<typeof startStack>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>; // answers 500: every delivery fails
let happy: Awaited<ReturnType<typeof startReceiver>>; // answers 204
let browser: Browser | undefined;

const MISSING_CHROMIUM = missingChromium("/ops");

beforeAll(async () => {
  browser = await launchChromium();
  if (!browser) return; // the test itself fails, with MISSING_CHROMIUM
  [stack, receiver, happy] = await Promise.all([startStack(), startReceiver(() => 500), startReceiver()]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await receiver?.close();
  await happy?.close();
});

async function apply(username: string, callbackUrl: string) {
  const res = await stack.post("/api/desktop/apply", { username, os: "win10", callback_url: callbackUrl });
  expect(res.status).toBe(200);
  return (await envelopeOf(res)).data.task_id;
}

describe("/ops in headless Chromium", () => {
  it("logs in, finds a task, redelivers its failed callback and shows the manual attempt", async () => {
    // Fail loudly rather than skip: this test is the only proof the page works in a browser.
    if (!browser) throw new Error(MISSING_CHROMIUM);
    // A task whose callback receiver answers 500, plus a few others so the list has company.
    const taskId = await apply("opsdemo", receiver.url);
    await Promise.all([apply("bravo", happy.url), apply("charlie", happy.url)]);
    const delivery = await eventually(async () => {
      const [d] = await listDeliveries(stack.database.db, taskId);
      if (!d) return undefined;
      const attempts = await listAttempts(stack.database.db, d.id);
      return attempts.some((a) => a.outcome === "failed") ? d : undefined;
    }, 20_000);

    const context = await browser!.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" && !/401|403/.test(m.text())) problems.push(`console: ${m.text()}`);
    });

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    // Not signed in: the login form.
    await page.goto(`${stack.apiUrl}/ops`);
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, "-login.png") });
    await page.getByLabel("API key").fill(stack.keys.admin);
    await Promise.all([
      page.waitForURL(`${stack.apiUrl}/ops`),
      page.getByRole("button", { name: "Log in" }).click(),
    ]);
    expect(await page.locator("h1").first().textContent()).toBe("Tasks");
    const cookies = await context.cookies();
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([["deskgate_ops", true, "Strict"]]);
    expect(cookies[0]!.value).not.toContain(stack.keys.admin);
    expect(await page.locator("#tasks tbody tr[data-task-id]").count()).toBe(3);
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, "-list.png"), fullPage: true });

    // Search by task id → exactly that task.
    await page.getByPlaceholder("task id, username, desktop uuid, ticket or requester").fill(taskId);
    await Promise.all([page.waitForURL(/\/ops\?q=/), page.getByRole("button", { name: "Filter" }).click()]);
    const rows = page.locator("#tasks tbody tr[data-task-id]");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute("data-task-id")).toBe(taskId);

    // Open it: steps, and the delivery with its failed scheduled attempt.
    await Promise.all([
      page.waitForURL(`**/ops/tasks/${taskId}`),
      page.getByRole("link", { name: taskId }).click(),
    ]);
    const card = page.locator(`.delivery[data-delivery-id="${delivery.id}"]`);
    expect(await page.locator("#steps tbody tr").count()).toBeGreaterThan(2);
    expect(await card.locator('tr[data-trigger="scheduled"][data-outcome="failed"]').count()).toBeGreaterThan(
      0,
    );
    expect(await card.locator('tr[data-trigger="manual"]').count()).toBe(0);

    // Redeliver: the page follows the worker until the manual attempt is recorded and ended.
    await card.getByRole("button", { name: "Redeliver" }).click();
    const manual = page.locator(
      `.delivery[data-delivery-id="${delivery.id}"] tr[data-trigger="manual"]:not([data-outcome="sending"])`,
    );
    await manual.first().waitFor({ timeout: 20_000 });
    await page.waitForFunction('document.body.dataset.wait === "0"', undefined, { timeout: 20_000 });
    await page.waitForLoadState("load");
    const manualRow = page.locator(`.delivery[data-delivery-id="${delivery.id}"] tr[data-trigger="manual"]`);
    expect(await manualRow.count()).toBe(1);
    expect(await manualRow.getAttribute("data-outcome")).toBe("failed"); // the receiver still answers 500
    expect(await manualRow.locator("td").nth(3).textContent()).toBe("500");
    expect(await page.locator(".notice").textContent()).toContain("Redelivery requested");

    // The database agrees: one more attempt, trigger manual.
    // (A scheduled retry may land before or after it: the receiver keeps failing.)
    const attempts = await listAttempts(stack.database.db, delivery.id);
    expect(attempts.filter((a) => a.trigger === "manual")).toEqual([
      expect.objectContaining({ trigger: "manual", outcome: "failed", httpStatus: 500 }),
    ]);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
