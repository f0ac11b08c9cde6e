import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateWebhookSecret, signatureHeader, webhookHeaders } from "../src/index.ts";

// RELIABILITY.md 1: the test vector of the Standard Webhooks JS library.
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  msgId: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestampSec: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

const nowSec = () => Math.floor(Date.now() / 1000);

describe("signatureHeader", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reproduces the Standard Webhooks test vector", () => {
    expect(signatureHeader([VECTOR.secret], VECTOR.msgId, VECTOR.timestampSec, VECTOR.body)).toBe(
      VECTOR.signature,
    );
  });

  it("verifies with standardwebhooks at the vector's own time", () => {
    vi.useFakeTimers({ toFake: ["Date"], now: VECTOR.timestampSec * 1000 });
    const headers = webhookHeaders({ ...VECTOR, secrets: [VECTOR.secret] });
    expect(new Webhook(VECTOR.secret).verify(VECTOR.body, headers)).toEqual({ test: 2432232314 });
  });

  it("signs one entry per secret during rotation, each verifying on its own", () => {
    const secrets = [generateWebhookSecret(), generateWebhookSecret()];
    const body = JSON.stringify({ data: { task_id: "t1" }, status: "0" });
    const headers = webhookHeaders({ secrets, msgId: "msg_rotation", timestampSec: nowSec(), body });

    const entries = headers["webhook-signature"]!.split(" ");
    expect(entries).toHaveLength(2);
    for (const entry of entries) expect(entry).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    for (const secret of secrets) {
      expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    }
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(
      WebhookVerificationError,
    );
  });

  it("fails verification of a re-serialised body (receivers must verify raw bytes)", () => {
    const secret = generateWebhookSecret();
    const body = '{"status": "0", "data": {"task_id": "t1"}}';
    const headers = webhookHeaders({ secrets: [secret], msgId: "msg_raw", timestampSec: nowSec(), body });
    const reserialised = JSON.stringify(JSON.parse(body));
    expect(() => new Webhook(secret).verify(reserialised, headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(secret).verify(Buffer.from(body), headers)).not.toThrow();
  });

  it("refuses what would produce an unverifiable header", () => {
    expect(() => signatureHeader([], "msg_1", 1, "{}")).toThrow(/at least one secret/);
    expect(() => signatureHeader([VECTOR.secret], "msg.1", 1, "{}")).toThrow(/webhook-id/);
    expect(() => signatureHeader([VECTOR.secret], "msg_1", 1.5, "{}")).toThrow(/integer/);
  });
});

describe("webhookHeaders", () => {
  it("sets exactly the Standard Webhooks headers, content type and user agent", () => {
    const headers = webhookHeaders({ ...VECTOR, secrets: [VECTOR.secret] });
    expect(headers).toEqual({
      "webhook-id": VECTOR.msgId,
      "webhook-timestamp": "1614265330",
      "webhook-signature": VECTOR.signature,
      "content-type": "application/json",
      "user-agent": "deskgate-webhooks/1",
    });
  });
});

describe("generateWebhookSecret", () => {
  it("returns whsec_ + base64 of 32 fresh random bytes", () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice("whsec_".length), "base64")).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });
});
