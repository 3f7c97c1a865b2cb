/**
 * Secrets at rest (RTMP stream keys): AES-256-GCM under a key derived (HKDF-SHA256) from a
 * random server secret kept in the data folder (`keys/stream-keys.key`, made at first use,
 * mode 0600) beside the JWT and ticket keys. The database alone therefore reveals nothing:
 * a copied SQLite file or backup without the keys folder cannot be opened. Sealed values are
 * `v1.<iv>.<tag>.<ciphertext>` (base64url); the value's purpose is bound as associated data,
 * so a sealed key cannot be moved to another row.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

const FILE = "stream-keys.key";

export class SecretBox {
  // The AES-256 key derived from the server secret.
  readonly #key: Buffer;

  constructor(secret: Buffer) {
    this.#key = Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), "plenary stream keys v1", 32));
  }

  /** The box for `<keysDir>/stream-keys.key`, making the secret at first use. */
  static async load(keysDir: string): Promise<SecretBox> {
    const file = path.join(keysDir, FILE);
    const existing = await readFile(file).catch(() => null);
    if (existing && existing.length >= 32) return new SecretBox(existing);
    const secret = randomBytes(32);
    await mkdir(keysDir, { recursive: true });
    await writeFile(file, secret, { mode: 0o600 });
    return new SecretBox(secret);
  }

  /** Seals `plain`; `context` (e.g. the row id) must be given again to open it. */
  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const sealed = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return ["v1", iv, cipher.getAuthTag(), sealed].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
  }

  /** The plain value; throws when the value was altered, moved, or sealed under another secret. */
  open(value: string, context: string): string {
    const [version, iv, tag, sealed] = value.split(".");
    if (version !== "v1" || !iv || !tag || sealed === undefined) throw new Error("not a sealed value");
    const decipher = createDecipheriv("aes-256-gcm", this.#key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(sealed, "base64url")), decipher.final()]).toString("utf8");
  }
}
