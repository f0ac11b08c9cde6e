import { describe, expect, it } from "vitest";
import { desktopOs, powerState, tagRecord } from "../src/adapters/workspace/desktop-fields.ts";

const desktop = (fields: Record<string, unknown>) => ({ desktop_id: "d", computer_name: "c", ...fields });

describe("Workspace desktop fields", () => {
  it.each([
    ["ACTIVE", "", "on"],
    ["ACTIVE", "powering-off", "on"],
    ["active", "", "on"],
    ["SHUTOFF", "", "off"],
    ["SHUTOFF", "powering-on", "off"],
    ["HIBERNATED", "", "off"],
    ["ERROR", "", "unknown"],
    ["DELETING", "deleting", "unknown"],
    ["", "spawning", "unknown"],
  ])("status %s / task %s → power %s", (status, task_status, power) => {
    expect(powerState(desktop({ status, task_status }))).toBe(power);
  });

  it("maps the image back to an os through the os → image table", () => {
    const images = { win10: "img-10", win7: "img-7" };
    expect(desktopOs(desktop({ metadata: { "metering.image_id": "img-7" } }), images)).toBe("win7");
    expect(desktopOs(desktop({ metadata: { "metering.image_id": "other" } }), images)).toBeNull();
    expect(desktopOs(desktop({}), images)).toBeNull();
  });

  it("turns tag lists into records; a tag without a value reads as empty", () => {
    expect(tagRecord([{ key: "ticket_id", value: "REQ-1" }, { key: "flag" }])).toEqual({
      ticket_id: "REQ-1",
      flag: "",
    });
    expect(tagRecord(undefined)).toEqual({});
  });
});
