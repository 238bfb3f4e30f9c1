/**
 * Password hashing with scrypt (node:crypto), a memory-hard function: each guess costs 32 MiB and
 * tens of milliseconds, so a stolen table cannot be searched on a GPU farm cheaply. Each hash
 * carries its own random salt and its parameters (`scrypt$N$r$p$salt$hash`), so the cost can be
 * raised later without invalidating the hashes already stored.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

/** At least 12 characters (NIST SP 800-63B asks for 8 at the least); the upper bound caps hashing work. */
export const MIN_PASSWORD_LENGTH = 12;
export const Password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(1024, 'must be at most 1024 characters');

// N = 2^15 and r = 8: 128 * N * r = 32 MiB of memory per hash.
const COST = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
// Room for the parameters above (node's default of 32 MiB is just short of them) and a little more.
const MAX_MEMORY = 96 * 1024 * 1024;

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: MAX_MEMORY };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** The hash a user without a password is checked against, so that answering them costs the same. */
let dummyHash: Promise<string> | null = null;

/**
 * Whether `password` matches `stored`. A missing or unreadable hash still costs one full scrypt
 * (against a dummy), so neither the answer nor its timing tells whether an account exists.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = stored ? parseHash(stored) : null;
  if (!parsed) {
    dummyHash ??= hashPassword(randomBytes(18).toString('base64url'));
    await verifyPassword(password, await dummyHash);
    return false;
  }
  const key = await derive(password, parsed.salt, parsed.cost);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

function parseHash(stored: string): { cost: { N: number; r: number; p: number }; salt: Buffer; key: Buffer } | null {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return null;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  // Only parameters we would write ourselves: a tampered row must not make us allocate gigabytes.
  if (![cost.N, cost.r, cost.p].every(Number.isInteger) || cost.N < 2 || cost.N > 2 ** 17 || cost.r < 1 || cost.r > 16 || cost.p < 1 || cost.p > 4) return null;
  return { cost, salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
}

/** A password for a person to type once and change: 20 characters from an unambiguous alphabet. */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  // 256 is not a multiple of the alphabet size: skip bytes past the last whole multiple, so every character is equally likely.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < 20) {
    for (const byte of randomBytes(32)) if (byte < limit && out.length < 20) out += alphabet[byte % alphabet.length];
  }
  return out;
}
