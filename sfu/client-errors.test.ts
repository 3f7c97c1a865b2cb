import * as mediasoup from "mediasoup";
import { describe, expect, it } from "vitest";
import { AppError } from "../server/errors.ts";
import { asClientError } from "./client-errors.ts";

// mediasoup's own validator, as a join with bad capabilities reaches it.
const { ortc } = mediasoup as unknown as { ortc: { validateAndNormalizeRtpCapabilities(caps: unknown): void } };

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("asClientError", () => {
  it("turns mediasoup's refusal of client input into invalid_media", () => {
    const error = thrown(() => ortc.validateAndNormalizeRtpCapabilities({ codecs: "not an array" }));
    const client = asClientError(error);
    expect(client).toBeInstanceOf(AppError);
    expect((client as AppError).code).toBe("invalid_media");
  });

  it("leaves a TypeError from our own code alone, so it is logged as a bug", () => {
    const error = thrown(() => {
      const peer = undefined as unknown as { id: string };
      void peer.id;
    });
    expect((error as Error).name).toBe("TypeError");
    expect(asClientError(error)).toBe(error);
  });

  it("passes AppErrors and non-errors through", () => {
    const app = AppError.conflict("already_joined", "joined");
    expect(asClientError(app)).toBe(app);
    expect(asClientError("text")).toBe("text");
  });
});
