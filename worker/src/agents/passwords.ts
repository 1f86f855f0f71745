// Agents' passwords: PBKDF2-SHA-256 through WebCrypto (parameters in password-kdf.ts), with a
// random 16-byte salt per password.
// Verifying costs the same whether or not the agent exists or has a password: a missing record
// is checked against a dummy one with the same parameters.
import { fromHex, toHex } from '../../../shared/ids.ts'
import type { PasswordRecord } from '../keys.ts'
import { HASH_BYTES, PASSWORD_ITERATIONS, PASSWORD_KDF, SALT_BYTES } from './password-kdf.ts'


async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password.normalize('NFC')), 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, HASH_BYTES * 8)
  return new Uint8Array(bits)
}

/** A stored password this Worker can verify: exactly the parameters the CLI writes. */
function usable(record: PasswordRecord | undefined): record is PasswordRecord {
  return record?.kdf === PASSWORD_KDF && record.iterations === PASSWORD_ITERATIONS &&
    typeof record.salt === 'string' && new RegExp(`^[0-9a-f]{${SALT_BYTES * 2}}$`).test(record.salt) &&
    typeof record.hash === 'string' && new RegExp(`^[0-9a-f]{${HASH_BYTES * 2}}$`).test(record.hash)
}

/** What the CLI stores, computed here (tests, and any future Worker-side password change). */
export async function hashPassword(password: string): Promise<PasswordRecord> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES))
  return { kdf: PASSWORD_KDF, iterations: PASSWORD_ITERATIONS, salt: toHex(salt), hash: toHex(await derive(password, salt, PASSWORD_ITERATIONS)) }
}

// Checked when there is no usable record, so that case derives and compares exactly as a wrong
// password does. No password derives to all zero bytes (that would be a SHA-256 preimage).
const DUMMY: PasswordRecord = {
  kdf: PASSWORD_KDF,
  iterations: PASSWORD_ITERATIONS,
  salt: toHex(new Uint8Array(SALT_BYTES)),
  hash: '00'.repeat(HASH_BYTES),
}

/** One PBKDF2 derivation and one constant-time comparison, whatever `record` is. */
export async function verifyPassword(password: string, record: PasswordRecord | undefined): Promise<boolean> {
  const valid = usable(record)
  if (record && !valid) console.error('An agent record has a password this Worker cannot verify (unknown KDF parameters)')
  const checked = valid ? record : DUMMY
  const derived = await derive(password, fromHex(checked.salt), checked.iterations)
  return crypto.subtle.timingSafeEqual(derived, fromHex(checked.hash)) && valid
}
