// The widget bundles this module too (visitor-memory.ts, identity.ts): no work at module level,
// or it ships in every widget.js whether used or not (a hex table here cost 55 B gzip).
// Rocket.Chat's Random.id() alphabet: no 0/1/I/O/l, so ids survive being read aloud or retyped.
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz'
// Largest multiple of the alphabet's length below 256: bytes above it are redrawn, so every
// character is equally likely.
const UNBIASED = 256 - (256 % ALPHABET.length)

/** A random id of Rocket.Chat's shape (17 characters, about 99 bits). */
export function randomId(length = 17): string {
  let id = ''
  while (id.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < UNBIASED && id.length < length) id += ALPHABET[byte % ALPHABET.length]
    }
  }
  return id
}

/** Lowercase hex of bytes. */
export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

/** The bytes of a hex string (callers check its shape first). */
export const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16))

/** Lowercase hex SHA-256 of a string. */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))))
}
