/**
 * The server's JWT signing keys: Ed25519 (EdDSA), each with a key id, kept as JWKs in
 * `<data dir>/keys/jwt-keys.json` (mode 0600) and generated at first start. The newest key
 * signs; every key in the file verifies, so a new key can be added (`rotate`) while tokens
 * signed with the old one run out.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTHeaderParameters, type JWTPayload, jwtVerify } from "jose";
import { writeFileDurablySync } from "../../recorder/durable-file.ts";

const ALG = "EdDSA";

type StoredKey = { kid: string; createdAt: string; privateJwk: JWK; publicJwk: JWK };
type LoadedKey = { kid: string; privateKey: CryptoKey; publicKey: CryptoKey };

export class SigningKeys {
  // Newest first; the first one signs.
  readonly #keys: LoadedKey[];
  // Public keys by kid, for verification.
  readonly #byKid: Map<string, CryptoKey>;

  private constructor(keys: LoadedKey[]) {
    this.#keys = keys;
    this.#byKid = new Map(keys.map((k) => [k.kid, k.publicKey]));
  }

  /** Loads the key file in `dir`, creating it with one new key when there is none. */
  static async load(dir: string): Promise<SigningKeys> {
    const file = path.join(dir, "jwt-keys.json");
    let stored: StoredKey[];
    try {
      stored = JSON.parse(readFileSync(file, "utf8")) as StoredKey[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      stored = [await newKey()];
      save(dir, file, stored);
    }
    return new SigningKeys(await Promise.all(stored.map(importKey)));
  }

  /** Adds a new signing key in front of the others in the file; takes effect at the next start. */
  static async rotate(dir: string): Promise<string> {
    await SigningKeys.load(dir);
    const file = path.join(dir, "jwt-keys.json");
    const stored = JSON.parse(readFileSync(file, "utf8")) as StoredKey[];
    const fresh = await newKey();
    save(dir, file, [fresh, ...stored]);
    return fresh.kid;
  }

  /** Key and header for signing a token. */
  get signing(): { key: CryptoKey; header: JWTHeaderParameters } {
    const current = this.#keys[0];
    return { key: current.privateKey, header: { alg: ALG, kid: current.kid, typ: "JWT" } };
  }

  /** The public key a token header names, for jose's jwtVerify. */
  readonly resolve = (header: JWTHeaderParameters): CryptoKey => {
    const key = header.kid === undefined ? undefined : this.#byKid.get(header.kid);
    if (!key || header.alg !== ALG) throw new Error("unknown signing key");
    return key;
  };

  /** The public keys as a JWK set, for anyone who verifies tokens elsewhere. */
  async publicJwks(): Promise<{ keys: JWK[] }> {
    return { keys: await Promise.all(this.#keys.map(async (k) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: ALG, use: "sig" }))) };
  }
}

async function newKey(): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { crv: "Ed25519", extractable: true });
  return { kid: randomUUID(), createdAt: new Date().toISOString(), privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
}

async function importKey(stored: StoredKey): Promise<LoadedKey> {
  return {
    kid: stored.kid,
    privateKey: (await importJWK(stored.privateJwk, ALG)) as CryptoKey,
    publicKey: (await importJWK(stored.publicJwk, ALG)) as CryptoKey,
  };
}

function save(dir: string, file: string, keys: StoredKey[]) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileDurablySync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
}

/**
 * Verifies a token this server signed: signature, issuer, audience, and an `exp` and `iat`
 * that are both present and no further apart than `maxLifetimeSeconds` — the longest this
 * server itself issues for that kind. Without this a token signed without `exp` (a bug, or
 * a key that leaked once) would be valid forever. Throws when any check fails.
 */
export async function verifyOwnToken(
  keys: SigningKeys,
  token: string,
  expected: { issuer: string; audience: string; maxLifetimeSeconds: number },
): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, keys.resolve, {
    issuer: expected.issuer,
    audience: expected.audience,
    algorithms: [ALG],
    requiredClaims: ["exp", "iat"],
  });
  const lifetime = (payload.exp as number) - (payload.iat as number);
  if (!(lifetime <= expected.maxLifetimeSeconds)) throw new Error(`token lifetime ${lifetime} s exceeds ${expected.maxLifetimeSeconds} s`);
  return payload;
}
