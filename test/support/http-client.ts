/** An HTTP client for tests that keeps the session cookie and sends Origin like a browser. */
export type ApiResponse<T = any> = { status: number; body: T; headers: Headers };

export class TestClient {
  readonly baseUrl: string;
  /** Cookies by name, as the server set them. */
  readonly cookies = new Map<string, string>();
  /** Sent as Origin on every request; null sends none (a script, not a browser). */
  origin: string | null;
  bearer: string | null = null;

  constructor(baseUrl: string, options: { origin?: string | null } = {}) {
    this.baseUrl = baseUrl;
    this.origin = options.origin === undefined ? baseUrl : options.origin;
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const all: Record<string, string> = { ...headers };
    if (body !== undefined) all["content-type"] = "application/json";
    if (this.cookies.size > 0) all.cookie = this.cookieHeader;
    if (this.origin !== null && all.origin === undefined) all.origin = this.origin;
    if (this.bearer) all.authorization = `Bearer ${this.bearer}`;
    const url = /^https?:/.test(path) ? path : this.baseUrl + path;
    // Redirects are returned, not followed, so tests can see where they point.
    const response = await fetch(url, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body), redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const [name, ...value] = pair.split("=");
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value.join("=") === "";
      if (expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.join("="));
    }
    const text = await response.text();
    const json = (response.headers.get("content-type") ?? "").includes("json");
    return { status: response.status, body: json && text ? JSON.parse(text) : text || null, headers: response.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>("GET", path);
  }
  post<T = any>(path: string, body: unknown = {}) {
    return this.request<T>("POST", path, body);
  }
  put<T = any>(path: string, body: unknown) {
    return this.request<T>("PUT", path, body);
  }
  patch<T = any>(path: string, body: unknown) {
    return this.request<T>("PATCH", path, body);
  }
  delete<T = any>(path: string, body?: unknown) {
    return this.request<T>("DELETE", path, body);
  }
}
