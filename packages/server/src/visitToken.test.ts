import { signToken } from '@waymark/engine';
import { describe, expect, it } from 'vitest';
import { clickDestination, signVisitToken, verifyVisitToken } from './visitToken.ts';

const SECRET = 'test-secret';
const PUBLIC = 'https://go.example.com';

describe('visit tokens', () => {
  it('verify only with the secret, and never as another kind of token', () => {
    const token = signVisitToken(SECRET, { c: 'ann', o: 7 });
    expect(verifyVisitToken(SECRET, token)).toEqual({ c: 'ann', o: 7 });
    expect(verifyVisitToken('other', token)).toBeNull();
    // An unsubscribe token has the same shape, signed with the secret itself: it is no visit token.
    expect(verifyVisitToken(SECRET, signToken(SECRET, { c: 'ann', o: 7 }))).toBeNull();
    expect(verifyVisitToken(SECRET, undefined)).toBeNull();
    expect(verifyVisitToken(SECRET, ['x'])).toBeNull();
  });

  it('are added to our own page and form links only, leaving every other URL as it was', () => {
    const visitor = { c: 'ann', o: 7 };
    const page = new URL(clickDestination(`${PUBLIC}/p/spring?utm=mail`, PUBLIC, SECRET, visitor));
    expect(page.pathname).toBe('/p/spring');
    expect(page.searchParams.get('utm')).toBe('mail');
    expect(verifyVisitToken(SECRET, page.searchParams.get('wm'))).toEqual(visitor);
    expect(new URL(clickDestination(`${PUBLIC}/f/f1`, PUBLIC, SECRET, visitor)).searchParams.has('wm')).toBe(true);
    for (const url of ['https://example.com/p/spring', `${PUBLIC}/pricing`, `${PUBLIC}/p/a/b`, 'http://go.example.com/p/spring', `${PUBLIC}/t/c/x`]) {
      expect(clickDestination(url, PUBLIC, SECRET, visitor)).toBe(url);
    }
    expect(clickDestination(`${PUBLIC}/p/spring`, PUBLIC, SECRET, null)).toBe(`${PUBLIC}/p/spring`);
  });
});
