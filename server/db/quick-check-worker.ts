/** Runs PRAGMA quick_check off the main thread: on a large file it takes seconds the server must keep answering in. */
import { parentPort, workerData } from "node:worker_threads";
import { quickCheck } from "./integrity.ts";

parentPort!.postMessage(quickCheck((workerData as { file: string }).file));
