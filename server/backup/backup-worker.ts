/** Runs createBackup off the main thread: VACUUM INTO of a large database takes seconds the server must keep answering in. */
import { parentPort, workerData } from "node:worker_threads";
import { type Paths, createBackup } from "./backup.ts";

const { paths, target } = workerData as { paths: Paths; target: string };
try {
  const manifest = createBackup(paths, target);
  parentPort!.postMessage({ ok: true, createdAt: manifest.createdAt, bytes: manifest.files.reduce((sum, f) => sum + f.bytes, 0) });
} catch (error) {
  parentPort!.postMessage({ ok: false, message: (error as Error).message });
}
