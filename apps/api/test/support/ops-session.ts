/**
 * Log in to /ops over plain HTTP (no browser): post the key to the login form and keep the
 * session cookie. `csrfOf` reads the CSRF token from a page the way a browser form sends it.
 */
export async function opsLogin(apiUrl: string, key: string, next = "/ops") {
  const res = await fetch(`${apiUrl}/ops/login`, {
    method: "POST",
    body: new URLSearchParams({ api_key: key, next }),
    redirect: "manual",
  });
  const setCookie = res.headers.get("set-cookie") ?? "";
  const cookie = setCookie.split(";")[0] ?? "";
  return { res, setCookie, cookie };
}

export function opsGet(apiUrl: string, path: string, cookie?: string) {
  return fetch(apiUrl + path, { headers: cookie ? { cookie } : {}, redirect: "manual" });
}

export function opsPost(apiUrl: string, path: string, form: Record<string, string>, cookie?: string) {
  return fetch(apiUrl + path, {
    method: "POST",
    headers: cookie ? { cookie } : {},
    body: new URLSearchParams(form),
    redirect: "manual",
  });
}

export function csrfOf(page: string): string {
  const token = page.match(/name="csrf" value="([^"]+)"/)?.[1];
  if (!token) throw new Error("no CSRF token on the page");
  return token;
}
