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

/** Each byte's two lowercase hex digits. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

/** Lowercase hex of bytes (on every agent request: a table, not a formatted string per byte). */
export function toHex(bytes: Uint8Array): string {
  let hex = ''
  for (const b of bytes) hex += HEX[b]
  return hex
}

/** The bytes of a hex string (callers check its shape first). */
export const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16))

const utf8 = new TextEncoder()

/** Lowercase hex SHA-256 of a string. */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(text))))
}
