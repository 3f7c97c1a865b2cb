/**
 * The first-run form's own checks: the same rules the server applies, run
 * first so that mistakes show at once and next to the input they concern.
 * The server still validates; its field errors land in the same places.
 */
import { maxDisplayNameLength, minPasswordLength } from '../api/setup.ts';

export type FirstRunFields = {
  token: string;
  displayName: string;
  email: string;
  password: string;
  confirmPassword: string;
  publicUrl: string;
};

export type FirstRunField = keyof FirstRunFields;
export type FirstRunErrors = Partial<Record<FirstRunField, string>>;

/** Order of the inputs on the page, so the first invalid one can take focus. */
export const fieldOrder: FirstRunField[] = ['token', 'displayName', 'email', 'password', 'confirmPassword', 'publicUrl'];

// Deliberately loose: the server (and, later, a confirmation e-mail) is the real judge.
const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isWebAddress(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export function validateFirstRun(fields: FirstRunFields): FirstRunErrors {
  const errors: FirstRunErrors = {};
  if (fields.token.trim() === '') errors.token = 'Enter the setup code from the server console.';
  if (fields.displayName.trim() === '') errors.displayName = 'Enter your name.';
  else if (fields.displayName.trim().length > maxDisplayNameLength) errors.displayName = `Use at most ${maxDisplayNameLength} characters.`;
  if (fields.email.trim() === '') errors.email = 'Enter your e-mail address.';
  else if (!emailShape.test(fields.email.trim())) errors.email = 'Enter an e-mail address like name@example.org.';
  if (fields.password.length < minPasswordLength) errors.password = `Use at least ${minPasswordLength} characters.`;
  if (fields.confirmPassword === '') errors.confirmPassword = 'Enter the password again.';
  else if (fields.confirmPassword !== fields.password) errors.confirmPassword = "The passwords don't match.";
  if (!isWebAddress(fields.publicUrl.trim())) errors.publicUrl = 'Enter the full address, starting with https:// or http://.';
  return errors;
}

/** Server field paths are the request's keys; anything else belongs to the form as a whole. */
export function isFirstRunField(path: string): path is FirstRunField {
  return (fieldOrder as string[]).includes(path);
}
