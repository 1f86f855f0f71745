// The client's network, the unit every per-client limit counts: an IPv4 address as it is, an
// IPv6 address by its /64 (one subscriber's usual allocation, so rotating the lower 64 bits earns
// no new budget), an IPv4-mapped IPv6 address as its IPv4. Anything else shares one bucket.

export const UNKNOWN_NETWORK = 'unknown'

// Longer than any address with a zone id a client could have: the rest is not worth parsing.
const MAX_LENGTH = 100

/** The four octets of a dotted IPv4 address, or null. */
function ipv4Octets(text: string): number[] | null {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p))) return null
  const octets = parts.map(Number)
  return octets.every((o) => o <= 255) ? octets : null
}

/** The eight 16-bit groups of an IPv6 address (`::` and a dotted IPv4 tail handled), or null. */
function ipv6Groups(text: string): number[] | null {
  const halves = text.split('::')
  if (halves.length > 2) return null
  const parse = (half: string): number[] | null => {
    if (half === '') return []
    const groups: number[] = []
    const parts = half.split(':')
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes('.')) {
        const octets = ipv4Octets(part)
        if (!octets) return null
        groups.push((octets[0] << 8) | octets[1], (octets[2] << 8) | octets[3])
      } else if (/^[0-9a-f]{1,4}$/.test(part)) {
        groups.push(parseInt(part, 16))
      } else {
        return null
      }
    }
    return groups
  }
  const head = parse(halves[0])
  const tail = halves.length === 2 ? parse(halves[1]) : []
  if (!head || !tail) return null
  // A dotted tail belongs at the end only.
  if (halves.length === 2 && halves[0].includes('.')) return null
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null
  return [...head, ...new Array<number>(missing).fill(0), ...tail]
}

/** The network key of an address as text (see the top of this file). */
export function networkOf(address: string | null): string {
  if (!address || address.length > MAX_LENGTH) return UNKNOWN_NETWORK
  const text = address.trim().toLowerCase().replace(/%.*$/, '') // a zone id names a local interface
  const v4 = ipv4Octets(text)
  if (v4) return v4.join('.')
  const groups = ipv6Groups(text)
  if (!groups) return UNKNOWN_NETWORK
  // ::ffff:a.b.c.d is an IPv4 client seen through a dual-stack socket.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.')
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16).padStart(4, '0')).join(':')}::/64`
}

/** The network of the client that sent `request` (Cloudflare's `CF-Connecting-IP`). */
export const clientNetwork = (request: Request): string => networkOf(request.headers.get('cf-connecting-ip'))
