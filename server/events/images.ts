/**
 * Organizer images (event covers, speaker photos, organization logos). As with profile
 * pictures, the request body is the image itself; sharp decodes it and re-encodes a WebP
 * of a fixed shape with no metadata, so what is stored and served is always an image we made.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import { writeFileDurably } from "../../recorder/durable-file.ts";
import type { DB } from "../db/schema.ts";
import { isOpenEvent, mayViewEventWithCode } from "../discovery/event-page.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";

const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;
const MAX_INPUT_PIXELS = 40_000_000;
const ACCEPTED = new Set(["png", "jpeg", "webp", "gif"]);

/** The shapes we store: a 2:1 cover, a square photo, a logo that keeps its proportions. */
export const IMAGE_SHAPES = {
  cover: { width: 1600, height: 800, fit: "cover" },
  photo: { width: 400, height: 400, fit: "cover" },
  logo: { width: 512, height: 512, fit: "inside" },
} as const;
export type ImageShape = keyof typeof IMAGE_SHAPES;

export const unsupportedImage = () => new AppError("unsupported_media_type", 415, "Upload a PNG, JPEG, WebP or GIF image");

/** Registers image upload routes in a scope that takes `image/*` bodies as buffers. */
export function imageUploads(app: FastifyInstance, register: (scope: FastifyInstance) => void) {
  app.register(async (scope) => {
    scope.addContentTypeParser(/^image\//, { parseAs: "buffer", bodyLimit: MAX_UPLOAD_BYTES }, (_request, body, done) => done(null, body));
    scope.addContentTypeParser("*", (_request, _payload, done) => done(unsupportedImage(), undefined));
    register(scope);
  });
}

export const imageBodyLimit = MAX_UPLOAD_BYTES;

/** Re-encodes the upload and writes it under `<data>/<folder>/`; returns the path relative to the data folder. */
export async function storeImage(dataDir: string, folder: string, owner: string, body: unknown, shape: ImageShape): Promise<string> {
  if (!Buffer.isBuffer(body) || body.length === 0) throw unsupportedImage();
  const image = await reencode(body, shape);
  const file = `${owner}-${randomBytes(6).toString("hex")}.webp`;
  mkdirSync(path.join(dataDir, folder), { recursive: true });
  await writeFileDurably(path.join(dataDir, folder, file), image);
  return `${folder}/${file}`;
}

export async function removeImage(dataDir: string, relative: string | null): Promise<void> {
  if (relative) await rm(path.join(dataDir, relative), { force: true });
}

/**
 * Sends a stored image. `shared` ones (an open event's, a logo) may be kept by any cache; the
 * others (a draft's cover, an invite-only event's speakers) were checked against the viewer,
 * so no shared cache may keep them and the browser asks again each time.
 */
export async function sendImage(reply: FastifyReply, dataDir: string, relative: string | null, shared = true): Promise<FastifyReply> {
  if (!relative) throw AppError.notFound("No image");
  // The file name changes with every upload, so a URL with the name's version may be cached for good.
  reply.header("cache-control", shared ? "public, max-age=300" : "private, no-store");
  reply.header("x-content-type-options", "nosniff");
  return reply.type("image/webp").send(await readFile(path.join(dataDir, relative)));
}

/** An event image's query: `v` versions the URL; `code` is the invite-only event's access code, as the event page took it. */
const eventImageQuery = z.object({ code: z.string().max(200).optional() });

/**
 * Sends an image of an event (its cover, a speaker's photo) only to those who may see the
 * event: a draft's or an invite-only event's images would otherwise show what is not yet
 * (or not for everyone) public. Others get the same 404 as for no image. The event's access
 * code opens them as it opens the page, counted by the same guard against guessing.
 */
export async function sendEventImage(reply: FastifyReply, db: Kysely<DB>, request: FastifyRequest, dataDir: string, eventId: string, relative: string | null): Promise<FastifyReply> {
  const code = parseBody(eventImageQuery, request.query).code?.trim() || undefined;
  const event = await db.selectFrom("events").select(["id", "status", "visibility", "access_code_hash"]).where("id", "=", eventId).executeTakeFirst();
  if (!event || !relative || !(await mayViewEventWithCode(db, request.actor, event, code, request.ip))) throw AppError.notFound("No image");
  return sendImage(reply, dataDir, relative, isOpenEvent(event));
}

async function reencode(input: Buffer, shape: ImageShape): Promise<Buffer> {
  // Loaded on first upload: libvips is large, and most starts never need it.
  const { default: sharp } = await import("sharp");
  let format: string | undefined;
  try {
    format = (await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata()).format;
  } catch {
    throw new AppError("invalid_image", 422, "This file is not an image we can read");
  }
  if (!format || !ACCEPTED.has(format)) throw unsupportedImage();
  const { width, height, fit } = IMAGE_SHAPES[shape];
  try {
    return await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: "error", animated: false })
      .rotate()
      .resize(width, height, { fit, withoutEnlargement: fit === "inside" })
      .webp({ quality: 82 })
      .toBuffer();
  } catch (error) {
    if (/pixel limit/i.test((error as Error).message)) throw new AppError("image_too_large", 422, "The image has too many pixels");
    throw new AppError("invalid_image", 422, "This image is damaged or cannot be read");
  }
}
