import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import jsQR from "jsqr";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import {
  base32Decode,
  base32Encode,
  publicKeysFromJson,
  TICKET_CODE_LENGTH,
  type TicketClaims,
  verifyTicketCode,
} from "./ticket-code.ts";
import { signTicketCode, TicketKeys } from "./ticket-keys.ts";
import { ticketQr, ticketQrPngDataUrl, ticketQrSvg } from "./ticket-qr.ts";

const root = mkdtempSync(path.join(tmpdir(), "plenary-tickets-"));
const keysIn = (name: string) => path.join(root, name, "keys");

function claims(): TicketClaims {
  return { ticketId: randomUUID(), eventId: randomUUID(), ticketTypeId: randomUUID(), issuedAt: new Date("2026-11-25T08:00:00.750Z") };
}

/** Flips one base32 character of a code to another letter. */
function tamper(code: string, at: number): string {
  const swapped = code[at] === "A" ? "B" : "A";
  return code.slice(0, at) + swapped + code.slice(at + 1);
}

describe("ticket codes", () => {
  it("round-trips the ticket, event, type and issue time, and is one fixed short length", async () => {
    const keys = TicketKeys.load(keysIn("round-trip"));
    const ticket = claims();
    const code = signTicketCode(keys, ticket);
    console.log(`ticket code: ${code.length} characters, ${code}`);
    expect(code).toHaveLength(TICKET_CODE_LENGTH);
    expect(code).toMatch(/^[A-Z2-7]+$/);
    const result = await verifyTicketCode(keys.publicKeys, code);
    expect(result).toEqual({ valid: true, ticket: { ...ticket, issuedAt: new Date("2026-11-25T08:00:00Z"), kid: keys.publicKeys[0].kid } });
    // Typed by hand: lower case, split into groups.
    const typed = code.toLowerCase().match(/.{1,5}/g)!.join("-");
    expect((await verifyTicketCode(keys.publicKeys[0], typed)).valid).toBe(true);
  });

  it("refuses a code changed anywhere: in the ids, the time or the signature", async () => {
    const keys = TicketKeys.load(keysIn("tamper"));
    const code = signTicketCode(keys, claims());
    // Inside the ticket id, the issue time, and the signature; never the key id (that is unknown_key).
    for (const at of [10, 85, 150]) expect(await verifyTicketCode(keys.publicKeys, tamper(code, at))).toEqual({ valid: false, reason: "bad_signature" });
    expect(await verifyTicketCode(keys.publicKeys, code.slice(0, -5))).toEqual({ valid: false, reason: "malformed" });
    expect(await verifyTicketCode(keys.publicKeys, `${code}AA`)).toEqual({ valid: false, reason: "malformed" });
    expect(await verifyTicketCode(keys.publicKeys, "HELLO WORLD 1")).toEqual({ valid: false, reason: "malformed" });
    expect(await verifyTicketCode(keys.publicKeys, `C${code.slice(1)}`)).toEqual({ valid: false, reason: "unsupported_version" });
  });

  it("refuses a code signed by another server's key", async () => {
    const ours = TicketKeys.load(keysIn("ours"));
    const theirs = TicketKeys.load(keysIn("theirs"));
    const code = signTicketCode(theirs, claims());
    expect((await verifyTicketCode(ours.publicKeys, code)).valid).toBe(false);
    // Even when the key ids happen to match, the signature does not verify with our key.
    const sameKid = { kid: theirs.publicKeys[0].kid, publicKey: ours.publicKeys[0].publicKey };
    expect(await verifyTicketCode(sameKid, code)).toEqual({ valid: false, reason: "bad_signature" });
  });

  it("keeps its keys in the data dir, private, and keeps old tickets valid across a rotation", async () => {
    const dir = keysIn("rotation");
    const before = TicketKeys.load(dir);
    expect(TicketKeys.load(dir).publicKeys).toEqual(before.publicKeys);
    expect(statSync(path.join(dir, "ticket-keys.json")).mode & 0o777).toBe(0o600);
    const oldCode = signTicketCode(before, claims());
    const kid = TicketKeys.rotate(dir);
    const after = TicketKeys.load(dir);
    expect(after.publicKeys.map((k) => k.kid)).toEqual([kid, before.publicKeys[0].kid]);
    const newCode = signTicketCode(after, claims());
    expect(await verifyTicketCode(after.publicKeys, oldCode)).toMatchObject({ valid: true, ticket: { kid: before.publicKeys[0].kid } });
    expect(await verifyTicketCode(after.publicKeys, newCode)).toMatchObject({ valid: true, ticket: { kid } });
    expect(await verifyTicketCode(before.publicKeys, newCode)).toEqual({ valid: false, reason: "unknown_key" });
    // What a scanner downloads verifies the same way, and holds no private part.
    const downloaded = JSON.parse(JSON.stringify(after.publicKeysJson())) as { keys: { kid: string; x: string }[] };
    expect(readFileSync(path.join(dir, "ticket-keys.json"), "utf8")).toContain('"d"');
    expect(JSON.stringify(downloaded)).not.toContain('"d"');
    expect((await verifyTicketCode(publicKeysFromJson(downloaded), oldCode)).valid).toBe(true);
  });

  it("encodes base32 as RFC 4648 does, and refuses other spellings", () => {
    const text = (s: string) => new TextEncoder().encode(s);
    // RFC 4648 section 10 test vectors, padding removed.
    expect(["", "f", "fo", "foo", "foob", "fooba", "foobar"].map((s) => base32Encode(text(s)))).toEqual(["", "MY", "MZXQ", "MZXW6", "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"]);
    expect(new TextDecoder().decode(base32Decode("MZXW6YTBOI")!)).toBe("foobar");
    expect(base32Decode("MZ")).toBeNull(); // "f" is MY: non-zero spare bits
    expect(base32Decode("MZXW1")).toBeNull();
  });
});

describe("ticket QR images", () => {
  /** Decodes an image with jsQR, as the scanner page does where BarcodeDetector is missing. */
  async function decode(image: Buffer): Promise<string | undefined> {
    const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    // jsqr is CommonJS with an ES default: TypeScript (nodenext) sees the module object, Node's
    // module.exports is the function itself and also carries `.default`, so this works in both.
    return jsQR.default(new Uint8ClampedArray(data), info.width, info.height)?.data;
  }

  it("fits a small alphanumeric QR symbol, and the PNG and SVG images decode to the code", async () => {
    const code = signTicketCode(TicketKeys.load(keysIn("qr")), claims());
    const symbol = ticketQr(code);
    console.log(`ticket QR: version ${symbol.version} (${symbol.modules.size}×${symbol.modules.size} modules), error correction M`);
    expect(symbol.version).toBeLessThanOrEqual(8);
    expect(symbol.segments.map((s) => s.mode.id)).toEqual(["Alphanumeric"]);

    const png = await ticketQrPngDataUrl(code);
    expect(png).toMatch(/^data:image\/png;base64,/);
    expect(await decode(Buffer.from(png.split(",")[1], "base64"))).toBe(code);

    const svg = await ticketQrSvg(code);
    expect(svg).toMatch(/^<svg[^>]*viewBox/);
    const rasterized = await sharp(Buffer.from(svg), { density: 300 }).flatten({ background: "#ffffff" }).png().toBuffer();
    expect(await decode(rasterized)).toBe(code);
  });
});
