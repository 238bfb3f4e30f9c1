/**
 * Single sign-on over OpenID Connect (authorization code flow with PKCE, state and nonce), with
 * openid-client. The provider is discovered from its issuer URL on first use, not at start, so a
 * provider that is down for a moment does not keep Waymark from starting.
 */
import * as client from 'openid-client';
import type { OidcSettings } from './context.ts';

/** What the browser keeps (in a signed, short-lived cookie) between the redirect out and the way back. */
export interface PendingSignOn {
  verifier: string;
  state: string;
  nonce: string;
  /** When the sign-on started, in ms since the epoch: it expires after PENDING_SIGN_ON_MS. */
  at: number;
}

export const PENDING_SIGN_ON_MS = 10 * 60_000;

/** A failure of the sign-on itself (the provider refused, the response was forged or stale): the person's problem to retry. */
export class SignOnError extends Error {}

export interface SignedOnIdentity {
  email: string | null;
  /** False when the provider says it has not verified the address (then it must not be trusted). */
  emailVerified: boolean | null;
}

export class OidcSignOn {
  private configuration: Promise<client.Configuration> | null = null;

  constructor(private readonly settings: OidcSettings) {}

  private discover(): Promise<client.Configuration> {
    const issuer = new URL(this.settings.issuer);
    // A plain-http issuer is the operator's explicit choice (a provider on the same host or network).
    const options = issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined;
    // client_secret_basic: the default of OpenID Connect client registration, so what providers expect unless told otherwise.
    const auth = client.ClientSecretBasic(this.settings.clientSecret);
    this.configuration ??= client.discovery(issuer, this.settings.clientId, undefined, auth, options).catch((error: unknown) => {
      // Try again on the next sign-on rather than remembering the failure.
      this.configuration = null;
      throw error;
    });
    return this.configuration;
  }

  /** The provider's authorization URL to send the browser to, and what to keep until it comes back. */
  async start(redirectUri: string, now: Date): Promise<{ url: URL; pending: PendingSignOn }> {
    const config = await this.discover();
    const verifier = client.randomPKCECodeVerifier();
    const pending = { verifier, state: client.randomState(), nonce: client.randomNonce(), at: now.getTime() };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /**
   * Exchanges the code the provider sent back (in `callbackUrl`) for tokens, checking state,
   * nonce and PKCE, and answers who signed on. The address comes from the ID token, or from the
   * userinfo endpoint when the provider keeps claims out of the ID token.
   */
  async finish(callbackUrl: URL, pending: PendingSignOn): Promise<SignedOnIdentity> {
    const config = await this.discover();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw new SignOnError(signOnFailure(error));
    }
    const claims = tokens.claims();
    if (!claims) throw new SignOnError('the provider sent no ID token');
    let email = typeof claims.email === 'string' ? claims.email : null;
    let verified = typeof claims.email_verified === 'boolean' ? claims.email_verified : null;
    if (email === null) {
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      email = typeof info.email === 'string' ? info.email : null;
      verified = typeof info.email_verified === 'boolean' ? info.email_verified : null;
    }
    return { email, emailVerified: verified };
  }
}

/** What went wrong, in words a person can act on; openid-client's codes say which check failed. */
function signOnFailure(error: unknown): string {
  if (error instanceof client.AuthorizationResponseError) return `the provider refused: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`;
  if (error instanceof client.ResponseBodyError) return `the provider refused the code: ${error.error}`;
  const code = (error as { code?: unknown } | null)?.code;
  return `the provider's answer did not check out${typeof code === 'string' ? ` (${code})` : ''}`;
}
