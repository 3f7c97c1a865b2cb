/**
 * The outbox as an admin reads it: the mail itself keeps its links, but what an admin's screen
 * shows must not let the admin (or whoever looks over their shoulder, or reads a screenshot)
 * reset someone's password, confirm their address, accept their invitation or open a guest's
 * order. Secrets in links become `[redacted]`; QR-code images (a ticket's check-in code) too.
 */

/** Where the outbox view puts a secret. */
export const REDACTED = "[redacted]";

// Query parameters that carry a capability in Plenary's mails (reset, verify, invitations,
// unsubscribe, guest order and calendar keys, waitlist offers) or in anyone's.
const SECRET_PARAMS = new Set(["token", "key", "offer", "code", "secret", "signature", "sig", "invite", "claim", "access_token"]);
// Any other value this long is a token by its looks (ids are UUIDs, which are not secrets).
const LONG_VALUE = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// name=value after ?, & or an HTML-escaped &amp; — in text and in HTML attributes alike.
const QUERY_PARAM = /([?&;])([A-Za-z_][\w.-]*)=([^&\s"'<>#)\]]+)/g;
// A data: URL (the inline QR code of a ticket) in HTML or text.
const DATA_URL = /data:[\w.+-]+\/[\w.+-]+;base64,[A-Za-z0-9+/=]+/g;

/** The text or HTML of a mail with the secrets in its links replaced. */
export function redactSecrets(body: string): string {
  return body
    .replace(QUERY_PARAM, (whole, lead: string, name: string, value: string) =>
      SECRET_PARAMS.has(name.toLowerCase()) || (value.length >= LONG_VALUE && !UUID.test(value)) ? `${lead}${name}=${REDACTED}` : whole,
    )
    .replace(DATA_URL, REDACTED);
}
