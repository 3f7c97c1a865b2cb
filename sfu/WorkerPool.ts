/**
 * The mediasoup workers: one per core by default, each with a WebRtcServer so that every
 * WebRTC transport of that worker shares one UDP and one TCP port (operators open
 * `rtcPort + index` for both protocols and nothing else). A worker that dies is reported
 * and replaced on the same ports; whoever had rooms on it moves them (see Sfu.ts).
 */
import { availableParallelism, networkInterfaces } from "node:os";
import * as mediasoup from "mediasoup";
import type { types } from "mediasoup";
import type { Logger } from "../server/log.ts";
import { TypedEmitter } from "./emitter.ts";

export type WorkerPoolOptions = {
  /** Workers to run; 0 (default) means one per core. */
  workers?: number;
  /** The mediasoup-worker binary; default mediasoup's own lookup ($MEDIASOUP_WORKER_BIN). */
  workerBin?: string;
  /** mediasoup worker log level. Default "warn". */
  logLevel?: types.WorkerLogLevel;
  /** Address the WebRtcServers listen on. Default "0.0.0.0". */
  listenIp?: string;
  /** Address put in ICE candidates (public IP or hostname); default: derived from listenIp. */
  announcedAddress?: string;
  /** First port: worker i listens on rtcPort + i (UDP and TCP). 0 picks free ports. Default 40000. */
  rtcPort?: number;
  log: Logger;
};

/** One worker of the pool and what runs on it. */
export type PoolWorker = {
  /** Slot in the pool; decides the port, and survives the worker's replacement. */
  readonly index: number;
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
  readonly pid: number;
  /** Peers placed on this worker's routers, for picking the least loaded one. */
  load: number;
};

export type WorkerPoolEvents = {
  /** A worker died; its routers are already closed. A replacement is on its way. */
  workerdied: [PoolWorker, Error];
  /** A replacement worker is ready. */
  workeradded: [PoolWorker];
};

export class WorkerPool extends TypedEmitter<WorkerPoolEvents> {
  // Live workers by slot.
  readonly #slots = new Map<number, PoolWorker>();
  // Replacements being spawned, by slot.
  readonly #pending = new Map<number, Promise<PoolWorker>>();
  // Options as given, with defaults applied.
  readonly #options: Required<Omit<WorkerPoolOptions, "workerBin" | "announcedAddress">> &
    Pick<WorkerPoolOptions, "workerBin" | "announcedAddress">;
  // Closed flag.
  #closed = false;

  private constructor(options: WorkerPoolOptions) {
    super();
    this.#options = {
      workers: options.workers || availableParallelism(),
      logLevel: options.logLevel ?? "warn",
      listenIp: options.listenIp ?? "0.0.0.0",
      rtcPort: options.rtcPort ?? 40_000,
      workerBin: options.workerBin || undefined,
      announcedAddress: options.announcedAddress || undefined,
      log: options.log,
    };
    this.setListenerErrorHandler((event, err) => this.#options.log.error({ err, event }, "sfu listener failed"));
  }

  /** Starts every worker; fails (closing those that started) if any cannot start. */
  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      const started = await Promise.allSettled(Array.from({ length: pool.#options.workers }, (_, index) => pool.#spawn(index)));
      const failed = started.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The live workers, in slot order. */
  get workers(): PoolWorker[] {
    return [...this.#slots.values()].sort((a, b) => a.index - b.index);
  }

  /** How many workers the pool should have, and how many are alive. */
  get health(): { expected: number; alive: number } {
    return { expected: this.#options.workers, alive: this.#slots.size };
  }

  /**
   * The least loaded live worker, skipping `avoid` when another exists. With none alive
   * (a one-worker pool whose worker just died) it waits for the replacement.
   */
  async acquire(avoid?: ReadonlySet<PoolWorker>): Promise<PoolWorker> {
    const live = this.workers;
    const preferred = live.filter((w) => !avoid?.has(w));
    const candidates = preferred.length > 0 ? preferred : live;
    if (candidates.length > 0) return candidates.reduce((a, b) => (b.load < a.load ? b : a));
    if (this.#closed) throw new Error("the worker pool is closed");
    const pending = [...this.#pending.values()];
    if (pending.length === 0) throw new Error("no mediasoup worker is alive");
    return Promise.any(pending);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots.values()) slot.worker.close();
    this.#slots.clear();
    this.removeAllListeners();
  }

  async #spawn(index: number): Promise<PoolWorker> {
    const { workerBin, logLevel, listenIp, rtcPort, log } = this.#options;
    const worker = await mediasoup.createWorker({ logLevel, workerBin, appData: { index } });
    let webRtcServer: types.WebRtcServer;
    try {
      const port = rtcPort === 0 ? undefined : rtcPort + index;
      const announcedAddress = this.#options.announcedAddress ?? defaultAnnouncedAddress(listenIp);
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: "udp", ip: listenIp, announcedAddress, port },
          { protocol: "tcp", ip: listenIp, announcedAddress, port },
        ],
      });
    } catch (error) {
      worker.close();
      throw error;
    }
    if (this.#closed) {
      worker.close();
      throw new Error("the worker pool is closed");
    }
    const slot: PoolWorker = { index, worker, webRtcServer, pid: worker.pid, load: 0 };
    this.#slots.set(index, slot);
    worker.on("died", (error) => this.#onDied(slot, error));
    log.info({ worker: index, pid: worker.pid }, "sfu worker started");
    return slot;
  }

  #onDied(slot: PoolWorker, error: Error) {
    if (this.#slots.get(slot.index) !== slot) return;
    this.#slots.delete(slot.index);
    this.#options.log.error({ worker: slot.index, pid: slot.pid, err: error }, "sfu worker died; replacing it");
    this.#replace(slot.index);
    this.safeEmit("workerdied", slot, error);
  }

  #replace(index: number, attempt = 1) {
    if (this.#closed) return;
    const spawning = this.#spawn(index);
    this.#pending.set(index, spawning);
    spawning.then(
      (slot) => {
        this.#pending.delete(index);
        this.safeEmit("workeradded", slot);
      },
      (err: unknown) => {
        this.#pending.delete(index);
        if (this.#closed) return;
        // The dead process may hold its port for a moment; back off and retry.
        const delay = Math.min(30_000, 250 * 2 ** attempt);
        this.#options.log.error({ worker: index, err, attempt }, "sfu worker replacement failed; retrying");
        setTimeout(() => this.#replace(index, attempt + 1), delay).unref();
      },
    );
  }
}

/**
 * A wildcard listen address is not something a browser can send to: announce the first
 * external IPv4 address instead (loopback when the machine has none).
 */
function defaultAnnouncedAddress(listenIp: string): string | undefined {
  if (listenIp !== "0.0.0.0" && listenIp !== "::") return undefined;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}
