/**
 * Payload schemas of the media messages. mediasoup checks RTP parameters and capabilities
 * in depth itself (ortc.ts); these bound their shape and size at the boundary so that a
 * client cannot hand the worker arbitrary structures.
 */
import { z } from "zod";

const id = z.string().min(1).max(64);
/** The most items one batched message may carry. */
export const MAX_BATCH = 100;
const parameterValue = z.union([z.string().max(256), z.number(), z.boolean()]);
const parameters = z.record(z.string().max(64), parameterValue).refine((o) => Object.keys(o).length <= 32, "too many parameters");
const rtcpFeedback = z.strictObject({ type: z.string().max(32), parameter: z.string().max(32).optional() });

const capabilityCodec = z.strictObject({
  kind: z.enum(["audio", "video"]),
  mimeType: z.string().max(64),
  preferredPayloadType: z.number().int().min(0).max(127).optional(),
  clockRate: z.number().int().positive(),
  channels: z.number().int().positive().max(8).optional(),
  parameters: parameters.optional(),
  rtcpFeedback: z.array(rtcpFeedback).max(16).optional(),
});
const capabilityExtension = z.strictObject({
  kind: z.enum(["audio", "video"]),
  uri: z.string().max(256),
  preferredId: z.number().int().min(1).max(255),
  preferredEncrypt: z.boolean().optional(),
  direction: z.enum(["sendrecv", "sendonly", "recvonly", "inactive"]).optional(),
});
export const rtpCapabilitiesSchema = z.strictObject({
  codecs: z.array(capabilityCodec).max(64).optional(),
  headerExtensions: z.array(capabilityExtension).max(32).optional(),
});

const parameterCodec = z.strictObject({
  mimeType: z.string().max(64),
  payloadType: z.number().int().min(0).max(127),
  clockRate: z.number().int().positive(),
  channels: z.number().int().positive().max(8).optional(),
  parameters: parameters.optional(),
  rtcpFeedback: z.array(rtcpFeedback).max(16).optional(),
});
const encoding = z.strictObject({
  ssrc: z.number().int().nonnegative().optional(),
  rid: z.string().max(16).optional(),
  codecPayloadType: z.number().int().min(0).max(127).optional(),
  rtx: z.strictObject({ ssrc: z.number().int().nonnegative() }).optional(),
  dtx: z.boolean().optional(),
  scalabilityMode: z.string().max(16).optional(),
  scaleResolutionDownBy: z.number().positive().optional(),
  maxBitrate: z.number().positive().optional(),
  maxFramerate: z.number().positive().optional(),
  adaptivePtime: z.boolean().optional(),
  priority: z.enum(["very-low", "low", "medium", "high"]).optional(),
  networkPriority: z.enum(["very-low", "low", "medium", "high"]).optional(),
  active: z.boolean().optional(),
});
export const rtpParametersSchema = z.strictObject({
  mid: z.string().max(32).optional(),
  codecs: z.array(parameterCodec).min(1).max(16),
  headerExtensions: z
    .array(z.strictObject({ uri: z.string().max(256), id: z.number().int().min(1).max(255), encrypt: z.boolean().optional(), parameters: parameters.optional() }))
    .max(32)
    .optional(),
  // Three simulcast layers (and their RTX) is what we support; leave room for clients that send more.
  encodings: z.array(encoding).max(8).optional(),
  rtcp: z.strictObject({ cname: z.string().max(256).optional(), reducedSize: z.boolean().optional(), mux: z.boolean().optional() }).optional(),
  msid: z.string().max(256).optional(),
});

export const dtlsParametersSchema = z.strictObject({
  role: z.enum(["auto", "client", "server"]).optional(),
  fingerprints: z
    .array(z.strictObject({ algorithm: z.enum(["sha-1", "sha-224", "sha-256", "sha-384", "sha-512"]), value: z.string().max(256) }))
    .min(1)
    .max(8),
});

export const mediaSchemas = {
  join: z.strictObject({
    token: z.string().min(1).max(4096),
    rtpCapabilities: rtpCapabilitiesSchema.optional(),
    /**
     * Transports to make with a fresh join, so that entering takes one round trip: with
     * "recv" (and rtpCapabilities) the room's producers are consumed too, paused. A
     * direction the peer may not use is left out; a resumed peer keeps what it has.
     */
    transports: z.array(z.enum(["send", "recv"])).max(2).optional(),
  }),
  empty: z.strictObject({}),
  capabilities: z.strictObject({ rtpCapabilities: rtpCapabilitiesSchema }),
  createTransport: z.strictObject({ direction: z.enum(["send", "recv"]) }),
  connectTransport: z.strictObject({ transportId: id, dtlsParameters: dtlsParametersSchema }),
  transport: z.strictObject({ transportId: id }),
  produce: z.strictObject({
    transportId: id,
    kind: z.enum(["audio", "video"]),
    rtpParameters: rtpParametersSchema,
    source: z.enum(["microphone", "camera", "screen", "screen-audio"]),
    paused: z.boolean().optional(),
  }),
  producer: z.strictObject({ producerId: id }),
  consume: z.strictObject({ producerId: id }),
  consumeMany: z.strictObject({ producerIds: z.array(id).min(1).max(MAX_BATCH) }),
  consumer: z.strictObject({ consumerId: id }),
  consumers: z.strictObject({ consumerIds: z.array(id).min(1).max(MAX_BATCH) }),
  preferredLayers: z.strictObject({
    consumerId: id,
    spatialLayer: z.number().int().min(0).max(2),
    temporalLayer: z.number().int().min(0).max(2).optional(),
  }),
};
