import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signToken, verifyToken } from './tokens.ts';

const secret = 'test-secret';
const payload = { j: 'journey-1', t: 'tile-2', c: 'contact-3', u: 'https://example.com/a?b=1&c=2' };

describe('tokens', () => {
  it('round-trips a payload', () => {
    const token = signToken(secret, payload);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyToken<typeof payload>(secret, token)).toEqual(payload);
  });

  it('rejects a token signed with another secret', () => {
    expect(verifyToken(secret, signToken('other', payload))).toBeNull();
  });

  it('rejects a tampered payload or signature', () => {
    const token = signToken(secret, payload);
    const [body = '', mac = ''] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...payload, c: 'contact-4' })).toString('base64url');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    expect(verifyToken(secret, `${forged}.${mac}`)).toBeNull();
    expect(verifyToken(secret, `${flip(body, 3)}.${mac}`)).toBeNull();
    expect(verifyToken(secret, `${body}.${flip(mac, 0)}`)).toBeNull();
    expect(verifyToken(secret, `${body}.${flip(mac, mac.length - 1)}`)).toBeNull();
  });

  it('rejects truncation and garbage without throwing', () => {
    const token = signToken(secret, payload);
    for (const bad of [
      '', '.', 'a.', '.a', token.slice(0, -1), token.slice(1), token.split('.')[0] ?? '',
      `${token}.x`, `${token}=`, token.replace('.', '..'), ` ${token}`, 'not a token', '💥.💥',
      // A correctly signed non-object is not a token we ever issue.
      signToken(secret, 42 as unknown as object),
    ]) {
      expect(verifyToken(secret, bad)).toBeNull();
    }
    expect(verifyToken(secret, undefined as unknown as string)).toBeNull();
  });

  it('never verifies random forgeries', () => {
    const body = signToken(secret, payload).split('.')[0];
    for (let i = 0; i < 10_000; i++) {
      const mac = randomBytes(32).toString('base64url');
      const randomBody = randomBytes(1 + (i % 64)).toString('base64url');
      expect(verifyToken(secret, `${i % 2 ? body : randomBody}.${mac}`)).toBeNull();
    }
  });
});
