import type { ServerConfig } from '@waymark/server';
import { UsageError } from './args.ts';
import { pick } from './settings.ts';

const NAMES = { issuer: 'WAYMARK_OIDC_ISSUER', clientId: 'WAYMARK_OIDC_CLIENT_ID', clientSecret: 'WAYMARK_OIDC_CLIENT_SECRET' } as const;

/** Single sign-on settings from the environment: all three variables, or none (SSO off). */
export function oidcFromEnvironment(): ServerConfig['oidc'] {
  const issuer = pick(undefined, NAMES.issuer);
  const clientId = pick(undefined, NAMES.clientId);
  const clientSecret = pick(undefined, NAMES.clientSecret);
  if (!issuer && !clientId && !clientSecret) return undefined;
  const missing = Object.entries({ issuer, clientId, clientSecret }).filter(([, value]) => !value).map(([key]) => NAMES[key as keyof typeof NAMES]);
  if (missing.length > 0) throw new UsageError(`single sign-on needs ${missing.join(' and ')} too (or none of the WAYMARK_OIDC_* variables)`, 'start');
  if (!/^https?:\/\//i.test(issuer!)) throw new UsageError(`${NAMES.issuer} must be an http:// or https:// URL, got "${issuer}"`, 'start');
  return { issuer: issuer!, clientId: clientId!, clientSecret: clientSecret! };
}
