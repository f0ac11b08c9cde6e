import type { UpstreamError } from "../../errors.ts";
import type { DesktopPlatform, PlatformDesktop, PowerAction } from "../../port.ts";
import { classify } from "./classify.ts";
import { permanent, type WsCall } from "./client.ts";

type PowerMethods = Pick<DesktopPlatform, "powerDesktop">;

interface RunResponse {
  job_id?: string;
  failed_operation_list?: { desktop_id?: string; error_code?: string; error_msg?: string }[];
}

/** What the desktop's power reads once the action is done. */
const TARGET: Record<PowerAction, "on" | "off"> = { start: "on", stop: "off", reboot: "on" };

/**
 * BatchRunDesktops `POST /desktops/action {desktop_ids:[id], op_type, type}` (op_type os-start |
 * os-stop | reboot, type SOFT | HARD) → 200 `{job_id, failed_operation_list}`; the job is an
 * `operateDesktops` one. The desktop is read first: start of a running one or stop of a stopped
 * one needs no call (`jobId` null), and reboot of a stopped one is a start. A desktop the platform
 * lists as failed is read again (it may have reached the state meanwhile); otherwise its error
 * code is classified like an HTTP answer (WKS.00010032 busy → transient). Huawei documents
 * `job_id` as returned "when a cold migration starts": without one, `jobId` is null and the
 * caller watches `getDesktop().power`, as Huawei's Terraform provider does.
 */
export function powerMethods(
  call: WsCall,
  getDesktop: (id: string) => Promise<PlatformDesktop | null>,
): PowerMethods {
  const read = async (id: string) => {
    const desktop = await getDesktop(id);
    if (!desktop) throw permanent(`power desktop: the desktop does not exist: ${id}`, "not_found");
    return desktop;
  };

  return {
    async powerDesktop(desktopId, action, mode = "SOFT") {
      const desktop = await read(desktopId);
      if (action !== "reboot" && desktop.power === TARGET[action]) return { jobId: null };
      const opType =
        action === "stop" ? "os-stop" : action === "start" || desktop.power === "off" ? "os-start" : "reboot";
      const data = await call<RunResponse>(`${action} desktop`, "POST", "/desktops/action", {
        desktop_ids: [desktopId],
        op_type: opType,
        type: mode,
      });
      const failed = (data.failed_operation_list ?? []).find(
        (f) => !f.desktop_id || f.desktop_id === desktopId,
      );
      if (failed) {
        const now = await read(desktopId);
        if (action !== "reboot" && now.power === TARGET[action]) return { jobId: null };
        throw refusal(action, failed);
      }
      return { jobId: data.job_id || null };
    },
  };
}

/** A desktop in `failed_operation_list`: its code is classified as the HTTP answer would be. */
function refusal(action: PowerAction, failed: { error_code?: string; error_msg?: string }): UpstreamError {
  const busy = failed.error_code === "WKS.00010032";
  return classify(
    {
      status: busy ? 409 : 400,
      body: { error_code: failed.error_code, error_msg: failed.error_msg },
      requestId: null,
      retryAfterMs: null,
    },
    `${action} desktop`,
  );
}
