/** The default store: a folder on this machine (data/recordings unless configured). */
import { createReadStream } from "node:fs";
import { copyFile, mkdir, readdir, rm, stat, statfs } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type { ReadOptions, Storage, StoredObject } from "./storage.ts";

export class LocalStorage implements Storage {
  readonly kind = "local";
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** The file behind `key`; refuses keys that would leave the root. */
  pathOf(key: string): string {
    const full = path.resolve(this.root, key);
    if (full !== this.root && !full.startsWith(this.root + path.sep)) throw new Error(`storage key outside the store: ${key}`);
    return full;
  }

  async upload(key: string, file: string): Promise<StoredObject> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(file, target);
    const [source, stored] = await Promise.all([stat(file), stat(target)]);
    if (source.size !== stored.size) throw new Error(`stored ${key} is ${stored.size} bytes, expected ${source.size}`);
    return { key, size: stored.size };
  }

  async stat(key: string): Promise<StoredObject | null> {
    const s = await stat(this.pathOf(key)).catch(() => null);
    return s?.isFile() ? { key, size: s.size } : null;
  }

  async read(key: string, range?: ReadOptions): Promise<Readable> {
    return createReadStream(this.pathOf(key), range);
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const base = this.pathOf(prefix);
    const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
    const files = entries.filter((e) => e.isFile());
    return Promise.all(
      files.map(async (e) => {
        const full = path.join(e.parentPath, e.name);
        return { key: path.relative(this.root, full).split(path.sep).join("/"), size: (await stat(full)).size };
      }),
    );
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.pathOf(prefix), { recursive: true, force: true });
  }

  async presignedUrl(): Promise<string | null> {
    return null;
  }

  async check(): Promise<string> {
    await mkdir(this.root, { recursive: true });
    const fs = await statfs(this.root);
    return fs.bavail > 0 ? "ok" : "failing: the recordings folder's disk is full";
  }
}
