import { describe, expect, it } from 'vitest';
import { validateFirstRun, type FirstRunFields } from './first-run-form.ts';

const valid: FirstRunFields = {
  token: 'abc',
  displayName: 'Ada Admin',
  email: 'ada@example.org',
  password: 'correct horse battery',
  confirmPassword: 'correct horse battery',
  publicUrl: 'https://events.example.org',
};

describe('first-run form rules', () => {
  it('accepts a complete form', () => {
    expect(validateFirstRun(valid)).toEqual({});
  });

  it('flags each input with its own message', () => {
    expect(
      validateFirstRun({ token: ' ', displayName: '', email: 'ada@', password: 'short', confirmPassword: 'other', publicUrl: 'ftp://x.org' }),
    ).toEqual({
      token: 'Enter the setup code from the server console.',
      displayName: 'Enter your name.',
      email: 'Enter an e-mail address like name@example.org.',
      password: 'Use at least 10 characters.',
      confirmPassword: "The passwords don't match.",
      publicUrl: 'Enter the full address, starting with https:// or http://.',
    });
  });

  it('counts the password length exactly at the limit', () => {
    expect(validateFirstRun({ ...valid, password: '1234567890', confirmPassword: '1234567890' }).password).toBeUndefined();
    expect(validateFirstRun({ ...valid, password: '123456789', confirmPassword: '123456789' }).password).toBeDefined();
  });

  it('rejects a name longer than the server allows', () => {
    expect(validateFirstRun({ ...valid, displayName: 'x'.repeat(81) }).displayName).toBe('Use at most 80 characters.');
  });
});
