/**
 * Profile pictures. The upload is the image itself as the request body; whatever it claims
 * to be, sharp decodes it (refusing anything that is not a PNG, JPEG, WebP or GIF, or is
 * too large in pixels) and re-encodes it as a 256×256 WebP with no metadata, so what is
 * stored and served is always an image we made.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { writeFileDurably } from "../../recorder/durable-file.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { actorUserId } from "./actor.ts";
import type { AccountDeps } from "./context.ts";
import { accountView, requireUser } from "./users.ts";

const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
const MAX_INPUT_PIXELS = 40_000_000;
const SIZE = 256;
const ACCEPTED = new Set(["png", "jpeg", "webp", "gif"]);

export function avatarRoutes(app: FastifyInstance, deps: AccountDeps) {
  const dir = path.join(deps.config.paths.dataDir, "avatars");

  app.register(async (scope) => {
    const unsupported = () => new AppError("unsupported_media_type", 415, "Upload a PNG, JPEG, WebP or GIF image");
    scope.addContentTypeParser(/^image\//, { parseAs: "buffer", bodyLimit: MAX_UPLOAD_BYTES }, (_request, body, done) => done(null, body));
    scope.addContentTypeParser("*", (_request, _payload, done) => done(unsupported(), undefined));

    scope.put("/api/account/avatar", { config: { action: "account.update" }, bodyLimit: MAX_UPLOAD_BYTES }, async (request) => {
      if (!Buffer.isBuffer(request.body) || request.body.length === 0) throw unsupported();
      const image = await reencode(request.body);
      const userId = actorUserId(request.actor)!;
      const file = `${userId}-${randomBytes(6).toString("hex")}.webp`;
      mkdirSync(dir, { recursive: true });
      await writeFileDurably(path.join(dir, file), image);
      const before = await requireUser(deps.db, userId);
      await deps.db.updateTable("users").set({ avatar_path: `avatars/${file}`, updated_at: new Date().toISOString() }).where("id", "=", userId).execute();
      if (before.avatar_path) await rm(path.join(deps.config.paths.dataDir, before.avatar_path), { force: true });
      return { user: accountView(await requireUser(deps.db, userId)) };
    });
  });

  app.delete("/api/account/avatar", { config: { action: "account.update" } }, async (request, reply) => {
    const user = await requireUser(deps.db, actorUserId(request.actor)!);
    if (user.avatar_path) {
      await deps.db.updateTable("users").set({ avatar_path: null, updated_at: new Date().toISOString() }).where("id", "=", user.id).execute();
      await rm(path.join(deps.config.paths.dataDir, user.avatar_path), { force: true });
    }
    return reply.code(204).send();
  });

  app.get("/api/users/:id/avatar", { config: { action: "profile.avatar.read" } }, async (request, reply) => {
    const { id } = parseBody(z.object({ id: z.uuid("Not a valid id") }), request.params);
    const row = await deps.db.selectFrom("users").select("avatar_path").where("id", "=", id).executeTakeFirst();
    if (!row?.avatar_path) throw AppError.notFound("No picture");
    reply.header("cache-control", "public, max-age=31536000, immutable");
    reply.header("x-content-type-options", "nosniff");
    return reply.type("image/webp").send(await readFile(path.join(deps.config.paths.dataDir, row.avatar_path)));
  });
}

async function reencode(input: Buffer): Promise<Buffer> {
  // Loaded on first upload: libvips is large, and most starts (and every CLI command) never need it.
  const { default: sharp } = await import("sharp");
  let format: string | undefined;
  try {
    format = (await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata()).format;
  } catch {
    throw new AppError("invalid_image", 422, "This file is not an image we can read");
  }
  if (!format || !ACCEPTED.has(format)) throw new AppError("unsupported_media_type", 415, "Upload a PNG, JPEG, WebP or GIF image");
  try {
    return await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: "error", animated: false })
      .rotate()
      .resize(SIZE, SIZE, { fit: "cover" })
      .webp({ quality: 82 })
      .toBuffer();
  } catch (error) {
    const message = (error as Error).message;
    if (/pixel limit/i.test(message)) throw new AppError("image_too_large", 422, `The image has too many pixels (at most ${MAX_INPUT_PIXELS / 1_000_000} megapixels)`);
    throw new AppError("invalid_image", 422, "This image is damaged or cannot be read");
  }
}
