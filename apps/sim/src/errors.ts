import type { ContentfulStatusCode } from "hono/utils/http-status";

/** A failure that a handler throws; the app's error handler turns it into the platform's error body. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly body: Record<string, unknown>;

  constructor(status: ContentfulStatusCode, body: Record<string, unknown>, message: string) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** A Huawei Workspace error: `{"error_code","error_msg"}` (UPSTREAM-VDI 1.3, 8.4). */
export function vdiError(status: ContentfulStatusCode, code: string, msg: string): ApiError {
  return new ApiError(status, { error_code: code, error_msg: msg }, `${code}: ${msg}`);
}

/** Codes of the VDI catalogue (UPSTREAM-VDI 7 and 8.4). `WKS.99…` codes are synthetic. */
export const VDI = {
  badRequest: "WKS.0001",
  disksBeingAdded: "WKS.0407",
  desktopBusy: "WKS.00010032",
  userNotFound: "WKS.00170312",
  passwordComplexity: "WKS.00170101",
  passwordHistory: "WKS.00170102",
  passwordContainsName: "WKS.00170103",
  policyGroupConflict: "WKS.00081101",
  policyGroupNotFound: "WKS.00081104",
  policyGroupQuota: "WKS.00081105",
  jobNoIp: "WKS.00010110",
  userExists: "WKS.99000001",
  desktopNotFound: "WKS.99000002",
  quotaExceeded: "WKS.99000003",
  productInvalid: "WKS.99000004",
  sameProduct: "WKS.99000005",
  volumeNotFound: "WKS.99000006",
  newSizeInvalid: "WKS.99000007",
  tooManyDisks: "WKS.99000008",
  diskSizeInvalid: "WKS.99000009",
  userNameInvalid: "WKS.99000010",
  computerNameTaken: "WKS.99000011",
  jobNotFound: "WKS.99000012",
  powerStateConflict: "WKS.99000013",
  tooManyTags: "WKS.99000014",
  injected: "WKS.99000500",
  throttled: "APIG.0308",
  auth: "APIGW.0301",
  noRoute: "APIGW.0101",
} as const;

export function badRequest(msg: string): ApiError {
  return vdiError(400, VDI.badRequest, msg);
}

export function desktopBusy(status: string, operation: string): ApiError {
  return vdiError(
    409,
    VDI.desktopBusy,
    `Operation conflict. The desktop current instance status is [${status}] and deny operation [${operation}].`,
  );
}

/** SCNet (Sugon AC OpenAPI 2.0) codes and texts of seed 001. */
export const SCNET_CODES = {
  "10001": "内部错误",
  "10003": "参数不全",
  "10004": "参数无效",
  "10008": "权限不足",
  "10009": "不支持的版本",
  "10010": "角色映射错误",
  "10011": "调用频次过高",
  "10012": "内容大小超限",
  "815201": "所有VNC节点均过载或者SSH不通,VNC会话创建失败",
  "815008": "桌面服务异常",
  "815010": "桌面会话不存在,删除失败",
} as const;

export type ScnetCode = keyof typeof SCNET_CODES;

export function scnetBody(code: string): Record<string, unknown> {
  const msg = (SCNET_CODES as Record<string, string>)[code] ?? "injected fault";
  return { code, msg, data: null };
}

/** SCNet errors travel in the body of an HTTP 200 response. */
export function scnetError(code: ScnetCode): ApiError {
  return new ApiError(200, scnetBody(code), `SCNet ${code}`);
}
