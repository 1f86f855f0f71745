// The password KDF's parameters: the Worker verifies with WebCrypto exactly what the agent CLI
// derives with node:crypto: PBKDF2-SHA-256 over the UTF-8 bytes of the password in Unicode NFC
// (so a password typed as composed or decomposed characters is the same password), a random salt,
// a 32-byte result. Free of Workers types, so the CLI imports it.

export const PASSWORD_KDF = 'PBKDF2-SHA-256'
/** The most Workers allow. Deployed Workers refuse more ("Pbkdf2 failed: iteration counts above
 * 100000 are not supported"); the open-source workerd under `wrangler dev` and the tests enforces no
 * cap (cloudflare/workerd#1346, #1471), so 100,001 does not throw locally:
 * test/worker/agents-passwords.test.ts pins both facts and signs in under a simulated cap. OWASP asks
 * for 600,000 for PBKDF2-SHA-256; the sign-in throttle is what keeps online guessing slow. */
export const PASSWORD_ITERATIONS = 100_000
export const SALT_BYTES = 16
export const HASH_BYTES = 32
/** The CLI refuses shorter passwords (counted in Unicode code points). */
export const MIN_PASSWORD_LENGTH = 8
