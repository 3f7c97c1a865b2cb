/**
 * The server's Ed25519 ticket keys, kept in `<data dir>/keys/ticket-keys.json` (mode 0600)
 * and made at first use. They are apart from the JWT keys (accounts/keys.ts) because door
 * scanners download ticket public keys and keep them for days, and because a ticket key
 * rotates on its own schedule: the newest key signs, every key in the file still verifies,
 * so tickets issued before a rotation stay valid until the old key is removed.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomInt, sign } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeFileDurablySync } from "../../recorder/durable-file.ts";
import { assembleTicketCode, signedMessage, type TicketClaims, type TicketPublicKey, ticketPayload } from "./ticket-code.ts";

const FILE = "ticket-keys.json";

/** On disk: the key id and the Ed25519 key as JWK fields (x public, d private, base64url). */
type StoredTicketKey = { kid: string; createdAt: string; x: string; d: string };

export class TicketKeys {
  // Newest first; the first one signs.
  readonly #keys: { kid: string; privateKey: KeyObject; publicKey: Uint8Array }[];

  private constructor(stored: StoredTicketKey[]) {
    this.#keys = stored.map((k) => ({
      kid: k.kid,
      privateKey: createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", x: k.x, d: k.d }, format: "jwk" }),
      publicKey: new Uint8Array(Buffer.from(k.x, "base64url")),
    }));
  }

  /** Loads the key file in `dir` (the data dir's keys folder), creating it with one key when there is none. */
  static load(dir: string): TicketKeys {
    const file = path.join(dir, FILE);
    let stored: StoredTicketKey[];
    try {
      stored = JSON.parse(readFileSync(file, "utf8")) as StoredTicketKey[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      stored = [newKey([])];
      save(dir, stored);
    }
    return new TicketKeys(stored);
  }

  /** Puts a new signing key in front of the others; running servers pick it up at their next start. */
  static rotate(dir: string): string {
    const stored = JSON.parse(readFileSync(path.join(dir, FILE), "utf8")) as StoredTicketKey[];
    const fresh = newKey(stored.map((k) => k.kid));
    save(dir, [fresh, ...stored]);
    return fresh.kid;
  }

  /** Signs a ticket's code with the newest key. */
  sign(claims: TicketClaims): string {
    const { kid, privateKey } = this.#keys[0];
    const payload = ticketPayload(kid, claims);
    return assembleTicketCode(payload, new Uint8Array(sign(null, signedMessage(payload), privateKey)));
  }

  /** Every public key, newest first, for verifying here and on scanners. */
  get publicKeys(): TicketPublicKey[] {
    return this.#keys.map(({ kid, publicKey }) => ({ kid, publicKey }));
  }

  /** The public keys as JSON a scanner page downloads: `{ keys: [{ kid, x }] }`, x the raw key in base64url. */
  publicKeysJson(): { keys: { kid: string; x: string }[] } {
    return { keys: this.#keys.map(({ kid, publicKey }) => ({ kid, x: Buffer.from(publicKey).toString("base64url") })) };
  }
}

/** Signs a ticket code with the newest of `keys`. */
export function signTicketCode(keys: TicketKeys, claims: TicketClaims): string {
  return keys.sign(claims);
}

function newKey(taken: string[]): StoredTicketKey {
  let kid: string;
  do kid = randomInt(0, 0x1_0000).toString(16).padStart(4, "0");
  while (taken.includes(kid));
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  return { kid, createdAt: new Date().toISOString(), x: jwk.x!, d: jwk.d! };
}

function save(dir: string, keys: StoredTicketKey[]) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, FILE);
  writeFileDurablySync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
}
