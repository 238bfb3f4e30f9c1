// Signed tokens for links put into emails (click tracking, open pixel, unsubscribe).
// Compact on purpose: `base64url(json).base64url(hmacSha256(secret, first part))`, so a link
// stays short enough for mail clients and humans. No expiry is built in: unsubscribe links must
// keep working for years (CAN-SPAM/RFC 8058); callers add a timestamp to the payload if they need one.
import { createHmac, timingSafeEqual } from 'node:crypto';

function sign(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

export function signToken(secret: string, payload: object): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${body}.${sign(secret, body).toString('base64url')}`;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The payload of a token signed with `secret`, or null for anything forged, altered or malformed. */
export function verifyToken<T>(secret: string, token: string): T | null {
  if (typeof token !== 'string') return null;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
  const body = token.slice(0, dot);
  const mac = token.slice(dot + 1);
  // Node's base64url decoder silently skips invalid characters; reject them so that only the one
  // canonical spelling of a token verifies.
  if (!BASE64URL.test(body) || !BASE64URL.test(mac)) return null;
  const given = Buffer.from(mac, 'base64url');
  const expected = sign(secret, body);
  // Re-encoding catches non-canonical trailing bits that decode to the same bytes.
  if (given.length !== expected.length || given.toString('base64url') !== mac) return null;
  if (!timingSafeEqual(given, expected)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    // Only objects were ever signed; anything else means a bug or a forged secret.
    return value !== null && typeof value === 'object' ? (value as T) : null;
  } catch {
    return null;
  }
}

/**
 * Whether a verified payload has exactly the keys of one kind of token: all of `required`, and
 * nothing but those and `optional`. The kinds (click, open, unsubscribe, form) share one secret,
 * so this is what stops a token made for one purpose from passing for another: a click link or an
 * unsubscribe link fetched as an open pixel must not count an open.
 */
export function hasTokenKeys(payload: object, required: readonly string[], optional: readonly string[] = []): boolean {
  const keys = Object.keys(payload);
  return required.every((key) => Object.hasOwn(payload, key)) && keys.every((key) => required.includes(key) || optional.includes(key));
}
