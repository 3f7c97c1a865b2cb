/**
 * A real OpenID Connect provider (oidc-provider with its development log-in pages) on
 * loopback, and a driver that plays the browser through its log-in and consent pages.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export type OidcAccount = { email: string; emailVerified: boolean; name: string };

export class TestOidcProvider {
  readonly issuer: string;
  readonly clientId = "plenary-test";
  readonly clientSecret = "plenary-test-secret-0123456789";
  readonly accounts = new Map<string, OidcAccount>();
  readonly #server: Server;

  private constructor(server: Server, issuer: string) {
    this.#server = server;
    this.issuer = issuer;
  }

  /** Listens first, so the issuer URL is known; `configure` then registers Plenary's callback. */
  static async start(): Promise<TestOidcProvider> {
    let handler: (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void = (_, res) => res.end();
    const server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const test = new TestOidcProvider(server, issuer);
    test.#setHandler = (h) => (handler = h);
    return test;
  }

  #setHandler: (h: (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void) => void = () => {};

  configure(redirectUri: string): void {
    const provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: this.clientId,
          client_secret: this.clientSecret,
          redirect_uris: [redirectUri],
          response_types: ["code"],
          grant_types: ["authorization_code"],
        },
      ],
      claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
      cookies: { keys: ["test-cookie-key-0123456789"] },
      ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3_600, IdToken: 600, Interaction: 600, Session: 3_600 },
      features: { devInteractions: { enabled: true } },
      findAccount: async (_ctx, sub) => {
        const account = this.accounts.get(sub);
        if (!account) return undefined;
        return {
          accountId: sub,
          claims: async () => ({ sub, email: account.email, email_verified: account.emailVerified, name: account.name }),
        };
      },
    });
    this.#setHandler(provider.callback());
  }

  /**
   * Follows the authorization URL through the provider's pages as `login`, consenting, and
   * returns the URL the provider sends the browser back to (Plenary's callback).
   */
  async logIn(authorizationUrl: string, login: string): Promise<string> {
    const jar = new Map<string, string>();
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const keep = (response: Response) => {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const at = pair.indexOf("=");
        jar.set(pair.slice(0, at), pair.slice(at + 1));
      }
    };
    let url = authorizationUrl;
    for (let step = 0; step < 12; step++) {
      const response = await fetch(url, { redirect: "manual", headers: { cookie: cookie() } });
      keep(response);
      if (response.status >= 300 && response.status < 400) {
        url = new URL(response.headers.get("location")!, url).toString();
        if (!url.startsWith(this.issuer)) return url;
        continue;
      }
      const page = await response.text();
      if (response.status !== 200) throw new Error(`provider answered ${response.status}: ${page.slice(0, 300)}`);
      const body = page.includes('name="login"')
        ? new URLSearchParams({ prompt: "login", login, password: "any" })
        : new URLSearchParams({ prompt: "consent" });
      const submitted = await fetch(url, {
        method: "POST",
        redirect: "manual",
        headers: { cookie: cookie(), "content-type": "application/x-www-form-urlencoded" },
        body,
      });
      keep(submitted);
      url = new URL(submitted.headers.get("location")!, url).toString();
      if (!url.startsWith(this.issuer)) return url;
    }
    throw new Error("the provider did not send the browser back");
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }
}
