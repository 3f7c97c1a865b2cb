import { describe, expect, it } from 'vitest';
import { linkify } from './protocol.ts';

describe('linkify', () => {
  it('turns http(s) addresses into links and leaves the rest as text', () => {
    expect(linkify('see https://example.org/a?b=1, then http://x.test.')).toEqual([
      { text: 'see ' },
      { text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { text: ', then ' },
      { text: 'http://x.test', href: 'http://x.test' },
      { text: '.' },
    ]);
  });

  it('never makes a link of another scheme, and stops an address at markup quotes', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,hi', 'ftp://files.test/x']) {
      expect(linkify(text)).toEqual([{ text }]);
    }
    expect(linkify('<a href="https://evil.test/x" onclick=y>').filter((p) => p.href)).toEqual([{ text: 'https://evil.test/x', href: 'https://evil.test/x' }]);
  });
});
