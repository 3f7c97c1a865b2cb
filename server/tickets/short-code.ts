/**
 * A ticket's door code: eight characters door staff can read off a phone and type, printed
 * under the QR image. Unlike the signed code it proves nothing by itself; it names one ticket
 * of one event (unique per event), looked up in the check-in list the scanner downloaded, or
 * by the server. The alphabet leaves out 0/O, 1/I/L, so nothing read aloud or typed is
 * ambiguous; 31^8 (~8.5e11) codes make guessing a valid one hopeless at a door's pace.
 *
 * Browser-safe (the scanner imports it): only the global WebCrypto random source.
 */

export const SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const SHORT_CODE_LENGTH = 8;

const ALLOWED = new RegExp(`^[${SHORT_CODE_ALPHABET}]{${SHORT_CODE_LENGTH}}$`);

/** A fresh random code, stored without separators. */
export function newShortCode(): string {
  let code = "";
  // Rejection sampling: 248 is the largest multiple of 31 below 256, so every letter is equally likely.
  while (code.length < SHORT_CODE_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(16))) {
      if (byte < 248 && code.length < SHORT_CODE_LENGTH) code += SHORT_CODE_ALPHABET[byte % SHORT_CODE_ALPHABET.length];
    }
  }
  return code;
}

/**
 * What door staff typed, as stored (upper case, no spaces or dashes), or null when it cannot
 * be a door code (a signed code pasted in, a typo in length or a letter not in the alphabet).
 */
export function normalizeShortCode(text: string): string | null {
  const code = text.toUpperCase().replace(/[\s-]/g, "");
  return ALLOWED.test(code) ? code : null;
}

/** For printing: two groups of four, "7K3M-Q9XT". */
export function formatShortCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
