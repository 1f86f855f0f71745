// Verified visitors: a site's backend signs an identifier; only a signature for the same
// identifier ever reaches a verified visitor's record.
import { describe, expect, it, vi } from 'vitest'
import { IDENTITY_SECRET, fetchVisitor, newToken, postVisitor, register, registryTables, signIdentity, snapshot, withSecret } from './support.ts'
import type { Visitor } from '../../shared/visitor.ts'

const verifiedAs = async (identifier: string, visitor: Record<string, unknown>, vars: Partial<Env> = {}) =>
  register({ ...visitor, identity: await signIdentity(identifier) }, { ...withSecret, ...vars })

async function expectRefused(body: unknown, vars: Partial<Env>, status: number, errorType?: string) {
  const before = await snapshot()
  const response = await postVisitor(body, vars)
  expect(response.status).toBe(status)
  expect((await response.json<any>()).errorType).toBe(errorType)
  expect(await snapshot()).toEqual(before)
}

const user = () => `user-${newToken()}`

describe('verified visitors', () => {
  it('marks a visitor whose signature checks out as verified', async () => {
    const visitor = await verifiedAs(user(), { token: newToken(), name: 'Ana' })
    expect(visitor.verified).toBe(true)
    expect(await fetchVisitor(visitor.token)).toEqual(visitor)
  })

  it('gives a second device of the same person the same visitor, with its token to adopt', async () => {
    const id = user()
    const laptop = await verifiedAs(id, { token: newToken(), name: 'Ana', email: 'ana.v@example.com' })
    const phone = await verifiedAs(id, { token: newToken(), phone: '+1 555 0101' })
    expect(phone._id).toBe(laptop._id)
    expect(phone.token).toBe(laptop.token)
    expect(phone).toMatchObject({ name: 'Ana', visitorEmails: [{ address: 'ana.v@example.com' }], phone: [{ phoneNumber: '+1 555 0101' }] })
  })

  it('links this browser\'s anonymous visitor when the person signs in', async () => {
    const token = newToken()
    const anonymous = await register({ token, name: 'Ana' })
    const linked = await verifiedAs(user(), { token })
    expect(linked._id).toBe(anonymous._id)
    expect(linked.verified).toBe(true)
  })

  it('never hands a visitor verified as someone else to a new signature, even with their token', async () => {
    const token = newToken()
    const ana = await verifiedAs(user(), { token, name: 'Ana', phone: '+1 555 0102' })
    const bob = await verifiedAs(user(), { token, name: 'Bob' })
    expect(bob._id).not.toBe(ana._id)
    expect(bob.token).not.toBe(token)
    expect(JSON.stringify(bob)).not.toMatch(/Ana|0102/)
    expect((await fetchVisitor(token))?.name).toBe('Ana')
    expect((await fetchVisitor(bob.token))?._id).toBe(bob._id)
  })

  it('gives 20 concurrent first registrations of one identity one visitor', async () => {
    const identity = await signIdentity(user())
    const answers = await Promise.all(Array.from({ length: 20 }, async () => {
      const response = await postVisitor({ visitor: { token: newToken(), identity } }, withSecret)
      expect(response.status).toBe(200)
      return (await response.json<{ visitor: Visitor }>()).visitor
    }))
    expect(new Set(answers.map((v) => v._id)).size).toBe(1)
    const rows = (await registryTables()).visitors.filter((r) => r.identifier === identity.identifier)
    expect(rows).toHaveLength(1)
  })

  it('with MATCH_VISITORS_BY_CONTACT=false, verifies but never merges two tokens', async () => {
    const id = user()
    const a = await verifiedAs(id, { token: newToken() }, { MATCH_VISITORS_BY_CONTACT: 'false' })
    const b = await verifiedAs(id, { token: newToken() }, { MATCH_VISITORS_BY_CONTACT: 'false' })
    expect(b._id).not.toBe(a._id)
    expect(b.verified).toBe(true)
  })

  it('with MATCH_VISITORS_BY_CONTACT=true, phone and email never reach a verified visitor', async () => {
    const rc = { MATCH_VISITORS_BY_CONTACT: 'true' }
    const phone = `+1 ${newToken()}`
    const email = `${newToken().toLowerCase()}@example.com`
    const verified = await verifiedAs(user(), { token: newToken(), phone, email, name: 'Verified Ana' }, rc)
    const stranger = await register({ token: newToken(), phone, email }, rc)
    expect(stranger._id).not.toBe(verified._id)
    expect(JSON.stringify(stranger)).not.toContain('Verified Ana')
  })
})

describe('signatures that are refused, storing nothing', () => {
  it('an expired one', async () => {
    await expectRefused({ visitor: { token: newToken(), identity: await signIdentity(user(), -1) } }, withSecret, 400, 'error-invalid-identity')
  })

  it('one that expires more than 24 h ahead (it would be replayable for too long)', async () => {
    await expectRefused({ visitor: { token: newToken(), identity: await signIdentity(user(), 25 * 3600) } }, withSecret, 400, 'error-invalid-identity')
  })

  it('one made with another secret', async () => {
    const identity = await signIdentity(user(), 600, 'another-secret-of-at-least-32-characters')
    await expectRefused({ visitor: { token: newToken(), identity } }, withSecret, 400, 'error-invalid-identity')
  })

  it('one whose identifier or expiry was changed after signing', async () => {
    const identity = await signIdentity('user-1')
    await expectRefused({ visitor: { token: newToken(), identity: { ...identity, identifier: 'user-2' } } }, withSecret, 400, 'error-invalid-identity')
    await expectRefused({ visitor: { token: newToken(), identity: { ...identity, expires: identity.expires + 1 } } }, withSecret, 400, 'error-invalid-identity')
  })

  it('one whose identifier holds a lone surrogate (in UTF-8 it would read as another identifier)', async () => {
    const identity = await signIdentity('alice\ud800')
    await expectRefused({ visitor: { token: newToken(), identity } }, withSecret, 400)
  })

  it('any, when the site has no secret or a weak one: a 500 for the operator, logged', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const body = { visitor: { token: newToken(), identity: await signIdentity(user()) } }
    await expectRefused(body, { VISITOR_IDENTITY_SECRET: undefined }, 500, 'error-invalid-config')
    await expectRefused(body, { VISITOR_IDENTITY_SECRET: IDENTITY_SECRET.slice(0, 31) }, 500, 'error-invalid-config')
    expect(logged.mock.calls.map(String).join('\n')).toMatch(/VISITOR_IDENTITY_SECRET/)
    logged.mockRestore()
  })
})
