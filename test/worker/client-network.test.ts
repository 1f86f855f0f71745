// The client network every per-client limit counts: an IPv4 address as it is, an IPv6 address by
// its /64 however it is written, an IPv4-mapped IPv6 address as its IPv4, anything else one
// 'unknown' bucket. And the visitor registration limit (30 a minute) keyed by it.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { UNKNOWN_NETWORK, clientNetwork, networkOf } from '../../worker/src/http/client-network.ts'
import { inOneRateWindow, newToken, postVisitor } from './support.ts'

// Up to 15 s of wait for a fresh window, then a burst that may take a while on a busy machine.
beforeEach(() => inOneRateWindow(), 70_000)
vi.setConfig({ testTimeout: 60_000 })

describe('networkOf', () => {
  it('keeps an IPv4 address as it is', () => {
    for (const ip of ['203.0.113.7', '0.0.0.0', '255.255.255.255', '10.0.0.1']) expect(networkOf(ip)).toBe(ip)
  })

  it('reduces IPv6 to its /64, expanded and lowercase, whatever the spelling', () => {
    const network = '2001:0db8:0000:0001::/64'
    for (const ip of [
      '2001:db8:0:1::1',
      '2001:db8:0:1:0:0:0:1',
      '2001:0db8:0000:0001:0000:0000:0000:0001',
      '2001:DB8:0:1::ABCD',
      '2001:db8::1:ffff:ffff:ffff:ffff',
      '2001:db8:0:1:1:2:3:4',
      '2001:db8:0:1::',
      '2001:db8:0:1::1%eth0',
      '2001:db8:0:1::1.2.3.4',
    ]) expect(networkOf(ip), ip).toBe(network)
    expect(networkOf('2001:db8:0:2::1')).toBe('2001:0db8:0000:0002::/64')
    expect(networkOf('::1')).toBe('0000:0000:0000:0000::/64')
    expect(networkOf('::')).toBe('0000:0000:0000:0000::/64')
    expect(networkOf('fe80::1%25en0')).toBe('fe80:0000:0000:0000::/64')
    expect(networkOf('1::')).toBe('0001:0000:0000:0000::/64')
    expect(networkOf('64:ff9b::192.0.2.33')).toBe('0064:ff9b:0000:0000::/64')
  })

  it('answers an IPv4-mapped IPv6 address with its IPv4 address', () => {
    for (const ip of ['::ffff:203.0.113.7', '::FFFF:203.0.113.7', '0:0:0:0:0:ffff:203.0.113.7', '::ffff:cb00:7107']) {
      expect(networkOf(ip), ip).toBe('203.0.113.7')
    }
  })

  it('puts a missing or unparsable address into one bucket', () => {
    expect(UNKNOWN_NETWORK).toBe('unknown')
    for (const ip of [
      null, '', ' ', 'unknown', 'localhost', '256.1.1.1', '1.2.3', '1.2.3.4.5', '1.2.3.-4', '1.2.3.4/24', '0x7f.0.0.1',
      '1::2::3', ':::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '1::2:3:4:5:6:7:8', '12345::1', 'g::1', ':1::2', '1:2:3:4:5:6:7:',
      '1.2.3.4::1', '::1.2.3', '::ffff:1.2.3.256', '[2001:db8::1]', '2001:db8::1 extra', `${'1:'.repeat(60)}1`,
    ]) expect(networkOf(ip), String(ip)).toBe(UNKNOWN_NETWORK)
  })

  it('reads CF-Connecting-IP from the request', () => {
    expect(clientNetwork(new Request('https://x.example', { headers: { 'cf-connecting-ip': '2001:db8:0:1::9' } }))).toBe('2001:0db8:0000:0001::/64')
    expect(clientNetwork(new Request('https://x.example'))).toBe(UNKNOWN_NETWORK)
  })
})

describe('the visitor registration limit counts per network', () => {
  const register = (ip: string) => postVisitor({ visitor: { token: newToken() } }, {}, { 'cf-connecting-ip': ip })

  it('two addresses of one /64 share the 30 a minute; another /64 has its own', async () => {
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:42`
    for (let i = 0; i < 15; i++) {
      expect((await register(`${prefix}::a`)).status).toBe(200)
      expect((await register(`${prefix}:ffff::b`)).status).toBe(200)
    }
    expect((await register(`${prefix}:1:2:3:4`)).status).toBe(429)
    expect((await register(`${prefix}::a`)).status).toBe(429)
    expect((await register(`${prefix.slice(0, -2)}43::a`)).status).toBe(200)
  })

  it('an IPv4-mapped address counts as its IPv4 address', async () => {
    const ip = `192.0.2.${Math.floor(Math.random() * 250) + 1}`
    for (let i = 0; i < 30; i++) expect((await register(i % 2 ? ip : `::ffff:${ip}`)).status).toBe(200)
    expect((await register(ip)).status).toBe(429)
  })
})
