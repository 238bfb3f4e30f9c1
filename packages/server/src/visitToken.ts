// A tracked click that leads to one of our own pages or forms carries who clicked, as a signed
// token in `?wm=`, so the visit can count for that contact (page_visited, page triggers). The
// token is signed with a key derived from the secret for this purpose only, so it can never pass
// for an unsubscribe or tracking token (and the reverse).
import { createHmac } from 'node:crypto';
import { signToken, verifyToken } from '@waymark/engine';

export const VISIT_PARAM = 'wm';

export interface VisitToken {
  /** The contact who clicked. */
  c: string;
  /** The email (outbox entry) the click came from. */
  o: number;
}

const visitKey = (secret: string) => createHmac('sha256', secret).update('waymark:visit-token:v1').digest('base64url');

export function signVisitToken(secret: string, token: VisitToken): string {
  return signToken(visitKey(secret), token);
}

export function verifyVisitToken(secret: string, token: unknown): VisitToken | null {
  if (typeof token !== 'string' || token.length > 1000) return null;
  const payload = verifyToken<VisitToken>(visitKey(secret), token);
  return payload && typeof payload.c === 'string' && typeof payload.o === 'number' ? payload : null;
}

const OWN_PAGE = /^\/(p|f)\/[^/]+\/?$/;

/**
 * Where a tracked click goes: the URL from the email unchanged, or, when it is one of our own
 * pages or forms, that URL with the visitor's signed token added.
 */
export function clickDestination(url: string, publicUrl: string, secret: string, visitor: VisitToken | null): string {
  if (!visitor) return url;
  try {
    const target = new URL(url);
    if (target.origin !== new URL(publicUrl).origin || !OWN_PAGE.test(target.pathname)) return url;
    target.searchParams.set(VISIT_PARAM, signVisitToken(secret, visitor));
    return target.toString();
  } catch {
    return url;
  }
}
