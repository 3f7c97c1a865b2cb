/**
 * "This person may have lost access": sent where access ends (a ban, a team removal, a
 * ticket cancelled, refunded or revoked) and heard by whoever holds something that access
 * allowed (chat subscriptions, room presence), which re-checks and lets go of what is no
 * longer theirs. The places that end access call no listener by name (pretix's signals).
 *
 * It rides a `node:diagnostics_channel` channel, which is process-wide: tickets are
 * released deep inside revenue transactions that hold nothing but a database handle. Two
 * servers in one process (some tests) only cost each other a spare re-check. A signal is
 * a hint, never a verdict: a listener re-checks against the database, and its queries wait
 * for the SQLite connection, so a signal sent inside a transaction is checked against what
 * that transaction committed (or, rolled back, finds nothing lost).
 */
import diagnosticsChannel from "node:diagnostics_channel";

export type AccessLossReason = "banned" | "team_removed" | "team_role_changed" | "speaker_removed" | "ticket_cancelled" | "ticket_refunded" | "ticket_revoked";

export type AccessLoss = {
  userId: string;
  /** The event whose access may have shrunk; null: every event (a ban). */
  eventId: string | null;
  reason: AccessLossReason;
};

const channel = diagnosticsChannel.channel("plenary.access.lost");

/** Announces that someone may have lost access; listeners run after the caller's current step. */
export function accessLost(loss: AccessLoss): void {
  if (channel.hasSubscribers) channel.publish(loss);
}

/**
 * Calls `listener` for every loss, later (not inside the sender's stack or transaction);
 * a listener's failure goes to `onError` rather than to the sender. Returns the unsubscribe.
 */
export function onAccessLost(listener: (loss: AccessLoss) => Promise<void> | void, onError: (error: unknown) => void): () => void {
  const subscriber = (message: unknown) => {
    setImmediate(() => {
      try {
        void Promise.resolve(listener(message as AccessLoss)).catch(onError);
      } catch (error) {
        onError(error);
      }
    });
  };
  channel.subscribe(subscriber);
  return () => channel.unsubscribe(subscriber);
}
