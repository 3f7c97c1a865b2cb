/**
 * OAuth and OpenID Connect providers, through arctic. Each turns an authorization code
 * into the same thing: who the person is at the provider, and their e-mail address with
 * whether the provider has verified it (only a verified address may link accounts).
 */
import { CodeChallengeMethod, decodeIdToken, Facebook, GitHub, Google, LinkedIn, OAuth2Client, type OAuth2Tokens } from "arctic";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { z } from "zod";
import type { Config } from "../../config/index.ts";

export const PROVIDER_IDS = ["github", "google", "facebook", "linkedin", "oidc"] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export type OAuthIdentity = {
  /** The provider's stable id for the person. */
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
};

export interface OAuthProvider {
  readonly id: ProviderId;
  readonly name: string;
  authorizationUrl(redirectUri: string, state: string, codeVerifier: string): Promise<URL>;
  identify(redirectUri: string, code: string, codeVerifier: string): Promise<OAuthIdentity>;
}

type OAuthConfig = Config["oauth"];

/** The providers the configuration enables, by id. */
export function enabledProviders(config: OAuthConfig): Map<ProviderId, OAuthProvider> {
  const providers = new Map<ProviderId, OAuthProvider>();
  if (config.github_client_id) providers.set("github", github(config.github_client_id, config.github_client_secret));
  if (config.google_client_id) providers.set("google", google(config.google_client_id, config.google_client_secret));
  if (config.facebook_client_id) providers.set("facebook", facebook(config.facebook_client_id, config.facebook_client_secret));
  if (config.linkedin_client_id) providers.set("linkedin", linkedin(config.linkedin_client_id, config.linkedin_client_secret));
  if (config.oidc_issuer && config.oidc_client_id) {
    providers.set("oidc", new OidcProvider(config.oidc_name, config.oidc_issuer, config.oidc_client_id, config.oidc_client_secret));
  }
  return providers;
}

function github(id: string, secret: string): OAuthProvider {
  return {
    id: "github",
    name: "GitHub",
    async authorizationUrl(redirectUri, state) {
      return new GitHub(id, secret, redirectUri).createAuthorizationURL(state, ["read:user", "user:email"]);
    },
    async identify(redirectUri, code) {
      const tokens = await new GitHub(id, secret, redirectUri).validateAuthorizationCode(code);
      const headers = { authorization: `Bearer ${tokens.accessToken()}`, "user-agent": "Plenary" };
      const user = z.object({ id: z.number(), name: z.string().nullable(), login: z.string() }).parse(
        await getJson("https://api.github.com/user", headers),
      );
      const emails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() })).parse(
        await getJson("https://api.github.com/user/emails", headers),
      );
      const primary = emails.find((e) => e.primary) ?? null;
      return { subject: String(user.id), email: primary?.email ?? null, emailVerified: primary?.verified ?? false, name: user.name ?? user.login };
    },
  };
}

function google(id: string, secret: string): OAuthProvider {
  return {
    id: "google",
    name: "Google",
    async authorizationUrl(redirectUri, state, verifier) {
      return new Google(id, secret, redirectUri).createAuthorizationURL(state, verifier, ["openid", "email", "profile"]);
    },
    async identify(redirectUri, code, verifier) {
      // The id token comes straight from Google's token endpoint over TLS, so it needs no signature check (OIDC Core 3.1.3.7).
      return idTokenIdentity(await new Google(id, secret, redirectUri).validateAuthorizationCode(code, verifier));
    },
  };
}

function linkedin(id: string, secret: string): OAuthProvider {
  return {
    id: "linkedin",
    name: "LinkedIn",
    async authorizationUrl(redirectUri, state) {
      return new LinkedIn(id, secret, redirectUri).createAuthorizationURL(state, ["openid", "email", "profile"]);
    },
    async identify(redirectUri, code) {
      return idTokenIdentity(await new LinkedIn(id, secret, redirectUri).validateAuthorizationCode(code));
    },
  };
}

function facebook(id: string, secret: string): OAuthProvider {
  return {
    id: "facebook",
    name: "Facebook",
    async authorizationUrl(redirectUri, state) {
      return new Facebook(id, secret, redirectUri).createAuthorizationURL(state, ["email", "public_profile"]);
    },
    async identify(redirectUri, code) {
      const tokens = await new Facebook(id, secret, redirectUri).validateAuthorizationCode(code);
      const url = new URL("https://graph.facebook.com/me");
      url.searchParams.set("fields", "id,name,email");
      url.searchParams.set("access_token", tokens.accessToken());
      const me = z.object({ id: z.string(), name: z.string().optional(), email: z.string().optional() }).parse(await getJson(url.toString()));
      // Facebook only returns addresses its user has confirmed.
      return { subject: me.id, email: me.email ?? null, emailVerified: me.email !== undefined, name: me.name ?? null };
    },
  };
}

const claimsSchema = z.looseObject({
  sub: z.string().min(1),
  email: z.string().optional(),
  email_verified: z.union([z.boolean(), z.literal("true"), z.literal("false")]).optional(),
  name: z.string().optional(),
});

function identityFromClaims(claims: z.infer<typeof claimsSchema>): OAuthIdentity {
  return {
    subject: claims.sub,
    email: claims.email ?? null,
    emailVerified: claims.email_verified === true || claims.email_verified === "true",
    name: claims.name ?? null,
  };
}

function idTokenIdentity(tokens: OAuth2Tokens): OAuthIdentity {
  return identityFromClaims(claimsSchema.parse(decodeIdToken(tokens.idToken())));
}

const discoverySchema = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
  userinfo_endpoint: z.url().optional(),
});

/** Any OpenID Connect provider, found through its discovery document; always with PKCE. */
class OidcProvider implements OAuthProvider {
  readonly id = "oidc" as const;
  readonly name: string;
  readonly #issuer: string;
  readonly #clientId: string;
  readonly #clientSecret: string;
  // Fetched on first use and kept; a failed fetch is retried next time.
  #discovery: Promise<{ document: z.infer<typeof discoverySchema>; jwks: ReturnType<typeof createRemoteJWKSet> }> | undefined;

  constructor(name: string, issuer: string, clientId: string, clientSecret: string) {
    this.name = name;
    this.#issuer = issuer.replace(/\/+$/, "");
    this.#clientId = clientId;
    this.#clientSecret = clientSecret;
  }

  async authorizationUrl(redirectUri: string, state: string, verifier: string): Promise<URL> {
    const { document } = await this.#discover();
    return this.#client(redirectUri).createAuthorizationURLWithPKCE(
      document.authorization_endpoint, state, CodeChallengeMethod.S256, verifier, ["openid", "email", "profile"],
    );
  }

  async identify(redirectUri: string, code: string, verifier: string): Promise<OAuthIdentity> {
    const { document, jwks } = await this.#discover();
    const tokens = await this.#client(redirectUri).validateAuthorizationCode(document.token_endpoint, code, verifier);
    const { payload } = await jwtVerify(tokens.idToken(), jwks, { issuer: document.issuer, audience: this.#clientId });
    const claims = claimsSchema.parse(payload);
    if (document.userinfo_endpoint) {
      const info = claimsSchema.parse(await getJson(document.userinfo_endpoint, { authorization: `Bearer ${tokens.accessToken()}` }));
      // Userinfo about someone else than the id token names is an attack, not a detail.
      if (info.sub !== claims.sub) throw new Error("userinfo subject does not match the id token");
      return identityFromClaims({ ...claims, ...info });
    }
    return identityFromClaims(claims);
  }

  #client(redirectUri: string) {
    return new OAuth2Client(this.#clientId, this.#clientSecret || null, redirectUri);
  }

  #discover() {
    this.#discovery ??= (async () => {
      const document = discoverySchema.parse(await getJson(`${this.#issuer}/.well-known/openid-configuration`));
      return { document, jwks: createRemoteJWKSet(new URL(document.jwks_uri)) };
    })();
    this.#discovery.catch(() => (this.#discovery = undefined));
    return this.#discovery;
  }
}

async function getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, { headers: { accept: "application/json", ...headers }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${new URL(url).host} answered ${response.status}`);
  return response.json();
}
