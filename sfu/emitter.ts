/**
 * A small typed event emitter in mediasoup's manner: the event map is a type, and a
 * listener that throws is logged instead of tearing down whoever emitted the event.
 */
import { EventEmitter } from "node:events";

export type EventMap = Record<string, unknown[]>;

export class TypedEmitter<E extends EventMap> {
  // The untyped emitter underneath.
  readonly #emitter = new EventEmitter({ captureRejections: false });
  // Where a listener's exception is reported.
  #onListenerError: (event: string, error: unknown) => void = () => {};

  constructor() {
    // Rooms with hundreds of peers attach a listener per peer.
    this.#emitter.setMaxListeners(Infinity);
  }

  /** Routes listener exceptions to a logger (default: dropped). */
  setListenerErrorHandler(handler: (event: string, error: unknown) => void): void {
    this.#onListenerError = handler;
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  removeAllListeners(): void {
    this.#emitter.removeAllListeners();
  }

  /**
   * Emits to every listener; one that throws does not stop the others. `rawListeners`
   * keeps `once` wrappers, so calling one also removes it (`listeners` would unwrap it and
   * the listener would run on every emit).
   */
  protected safeEmit<K extends keyof E & string>(event: K, ...args: E[K]): void {
    for (const listener of this.#emitter.rawListeners(event)) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (error) {
        this.#onListenerError(event, error);
      }
    }
  }
}
