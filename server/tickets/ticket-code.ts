/**
 * Ticket codes: what a ticket's QR image holds, signed with the server's Ed25519 ticket key so
 * a door scanner can check a ticket offline with only the public keys. This module has no
 * Node imports: the scanner page imports it as is and verifies with WebCrypto (Ed25519 is in
 * every current browser and in Node 24; browsers offer `crypto.subtle` only in secure
 * contexts, so the scanner page must be served over HTTPS or from localhost).
 *
 * Format, version 1. The signed payload is 55 bytes:
 *
 *   offset  size  field
 *        0     1  format version, 0x01
 *        1     2  key id, unsigned big-endian (which ticket key signed; keys rotate)
 *        3    16  ticket id, the UUID's 16 bytes in the order they are written
 *       19    16  event id, same
 *       35    16  ticket type id, same
 *       51     4  issue time, unsigned big-endian seconds since 1970-01-01T00:00:00Z
 *
 * The Ed25519 signature (64 bytes) is over the ASCII bytes "plenary-ticket:" followed by the
 * 55 payload bytes (the prefix keeps a ticket signature from meaning anything elsewhere).
 * The code is payload || signature (119 bytes) in RFC 4648 base32, upper case, without
 * padding: 191 characters from A–Z and 2–7, all in QR's alphanumeric set, so the QR image
 * uses alphanumeric mode (5.5 bits a character) and stays small. Readers accept lower case and
 * ignore spaces and dashes, so a code typed by hand or split for reading still verifies.
 */

export const TICKET_CODE_VERSION = 1;
/** Length of every version-1 code, in characters. */
export const TICKET_CODE_LENGTH = 191;

const PAYLOAD_BYTES = 55;
const SIGNATURE_BYTES = 64;
const CONTEXT = new TextEncoder().encode("plenary-ticket:");
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type TicketClaims = {
  ticketId: string;
  eventId: string;
  ticketTypeId: string;
  /** Whole seconds; sub-second parts are dropped when signing. */
  issuedAt: Date;
};

/** A public ticket key as scanners download it: its id (4 hex digits) and the raw 32-byte key. */
export type TicketPublicKey = { kid: string; publicKey: Uint8Array };

export type TicketVerification =
  | { valid: true; ticket: TicketClaims & { kid: string } }
  | { valid: false; reason: "malformed" | "unsupported_version" | "unknown_key" | "bad_signature" };

/** The payload bytes for claims signed by key `kid`; the signer signs `signedMessage(payload)`. */
export function ticketPayload(kid: string, claims: TicketClaims): Uint8Array<ArrayBuffer> {
  const payload = new Uint8Array(PAYLOAD_BYTES);
  const view = new DataView(payload.buffer);
  payload[0] = TICKET_CODE_VERSION;
  view.setUint16(1, kidNumber(kid));
  payload.set(uuidBytes(claims.ticketId), 3);
  payload.set(uuidBytes(claims.eventId), 19);
  payload.set(uuidBytes(claims.ticketTypeId), 35);
  const seconds = Math.floor(claims.issuedAt.getTime() / 1000);
  if (!(seconds >= 0 && seconds <= 0xffff_ffff)) throw new RangeError("issue time out of range");
  view.setUint32(51, seconds);
  return payload;
}

/** The bytes the signature covers. */
export function signedMessage(payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const message = new Uint8Array(CONTEXT.length + payload.length);
  message.set(CONTEXT);
  message.set(payload, CONTEXT.length);
  return message;
}

/** Joins payload and signature into the text a QR image carries. */
export function assembleTicketCode(payload: Uint8Array, signature: Uint8Array): string {
  if (payload.length !== PAYLOAD_BYTES || signature.length !== SIGNATURE_BYTES) throw new RangeError("wrong payload or signature length");
  const bytes = new Uint8Array(PAYLOAD_BYTES + SIGNATURE_BYTES);
  bytes.set(payload);
  bytes.set(signature, PAYLOAD_BYTES);
  return base32Encode(bytes);
}

/**
 * Imports the public keys once and returns a checker for codes; a scanner keeps one for the
 * keys it downloaded. Never throws for a bad code: it says why the code is refused.
 */
export async function createTicketVerifier(keys: readonly TicketPublicKey[]): Promise<(code: string) => Promise<TicketVerification>> {
  const imported = new Map<number, { kid: string; key: CryptoKey }>();
  for (const { kid, publicKey } of keys) {
    const key = await crypto.subtle.importKey("raw", new Uint8Array(publicKey), { name: "Ed25519" }, false, ["verify"]);
    imported.set(kidNumber(kid), { kid, key });
  }
  return async (code) => {
    const bytes = base32Decode(code.replace(/[\s-]/g, "").toUpperCase());
    if (!bytes || bytes.length < 1) return { valid: false, reason: "malformed" };
    if (bytes[0] !== TICKET_CODE_VERSION) return { valid: false, reason: "unsupported_version" };
    if (bytes.length !== PAYLOAD_BYTES + SIGNATURE_BYTES) return { valid: false, reason: "malformed" };
    const payload = bytes.subarray(0, PAYLOAD_BYTES);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const signer = imported.get(view.getUint16(1));
    if (!signer) return { valid: false, reason: "unknown_key" };
    const ok = await crypto.subtle.verify({ name: "Ed25519" }, signer.key, bytes.slice(PAYLOAD_BYTES), signedMessage(payload));
    if (!ok) return { valid: false, reason: "bad_signature" };
    return {
      valid: true,
      ticket: {
        kid: signer.kid,
        ticketId: uuidText(payload.subarray(3, 19)),
        eventId: uuidText(payload.subarray(19, 35)),
        ticketTypeId: uuidText(payload.subarray(35, 51)),
        issuedAt: new Date(view.getUint32(51) * 1000),
      },
    };
  };
}

/** Checks one code against one or more public keys. */
export async function verifyTicketCode(keys: TicketPublicKey | readonly TicketPublicKey[], code: string): Promise<TicketVerification> {
  const verify = await createTicketVerifier(Array.isArray(keys) ? keys : [keys as TicketPublicKey]);
  return verify(code);
}

/** Turns the downloaded `{ keys: [{ kid, x }] }` (x: the raw key in base64url) into keys for verifyTicketCode. */
export function publicKeysFromJson(json: { keys: readonly { kid: string; x: string }[] }): TicketPublicKey[] {
  return json.keys.map(({ kid, x }) => {
    const binary = atob(x.replace(/-/g, "+").replace(/_/g, "/"));
    return { kid, publicKey: Uint8Array.from(binary, (c) => c.charCodeAt(0)) };
  });
}

/** A key id is 4 hex digits (16 bits), so it costs 2 bytes in every code. */
export function kidNumber(kid: string): number {
  if (!/^[0-9a-f]{4}$/.test(kid)) throw new RangeError(`ticket key id must be 4 lower-case hex digits, not ${JSON.stringify(kid)}`);
  return Number.parseInt(kid, 16);
}

function uuidBytes(uuid: string): Uint8Array {
  if (!UUID.test(uuid)) throw new RangeError(`not a UUID: ${JSON.stringify(uuid)}`);
  const hex = uuid.replace(/-/g, "");
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function uuidText(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function base32Encode(bytes: Uint8Array): string {
  let text = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) text += BASE32[(buffer << (5 - bits)) & 31];
  return text;
}

/** Null for text that is not unpadded upper-case base32 (or whose spare bits are not zero). */
export function base32Decode(text: string): Uint8Array<ArrayBuffer> | null {
  const bytes = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (const char of text) {
    const value = BASE32.indexOf(char);
    if (value < 0) return null;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bytes[at++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  // Leftover bits must be zero padding, or one code would have several spellings.
  if (bits >= 5 || buffer !== 0) return null;
  return bytes;
}
