import { describe, expect, it } from 'vitest';
import { linkify, withIncoming } from './protocol.ts';

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

describe('withIncoming', () => {
  const message = (channel: string, id: number, author = { id: 'u-ann', name: 'Ann' }) => ({
    id, channel, author, text: `text ${id}`, replyTo: null, mentions: [], reactions: {}, createdAt: `2026-01-01T00:00:0${id}Z`, deleted: false,
  });
  const conversation = (channel: string, unread: number) => ({
    channel, peer: { id: `peer-${channel}`, name: channel }, last: null, unread, blocked: false,
  });

  it('adds a new conversation on top, with its author as the other person and one unread', () => {
    const list = withIncoming([conversation('dm:b', 0)], { channel: 'dm:a', message: message('dm:a', 1) }, null);
    expect(list.map((c) => [c.channel, c.unread])).toEqual([['dm:a', 1], ['dm:b', 0]]);
    expect(list[0]).toMatchObject({ peer: { id: 'u-ann', name: 'Ann' }, last: { text: 'text 1', authorId: 'u-ann' } });
  });

  it('moves a known conversation to the top and counts unread unless it is open', () => {
    const start = [conversation('dm:a', 0), conversation('dm:b', 2)];
    const closed = withIncoming(start, { channel: 'dm:b', message: message('dm:b', 2) }, 'dm:a');
    expect(closed.map((c) => [c.channel, c.unread])).toEqual([['dm:b', 3], ['dm:a', 0]]);
    expect(closed[0].peer).toEqual({ id: 'peer-dm:b', name: 'dm:b' });
    const open = withIncoming(start, { channel: 'dm:b', message: message('dm:b', 3) }, 'dm:b');
    expect(open[0].unread).toBe(2);
  });
});
