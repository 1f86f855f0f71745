import { describe, expect, it } from 'vitest'
import { fetchVisitor, newToken, postVisitor, register } from './support.ts'

describe('POST /api/v1/livechat/visitor creates a visitor', () => {
  it('answers the seed example with the documented shape', async () => {
    const token = newToken()
    const response = await postVisitor({
      visitor: {
        name: 'Livechat Visitor', email: 'visitor@rocket.chat', token, phone: '55 51 5555-5555',
        customFields: [{ key: 'address', value: 'Rocket.Chat street', overwrite: true }],
      },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    const body = await response.json<any>()
    expect(body).toEqual({
      visitor: {
        _id: expect.stringMatching(/^[A-Za-z0-9]{17,}$/),
        username: expect.stringMatching(/^guest-\d+$/),
        _updatedAt: expect.any(String),
        ts: expect.any(String),
        status: 'online',
        token,
        phone: [{ phoneNumber: '55 51 5555-5555' }],
        visitorEmails: [{ address: 'visitor@rocket.chat' }],
        name: 'Livechat Visitor',
        livechatData: { address: 'Rocket.Chat street' },
      },
      success: true,
    })
    expect(new Date(body.visitor._updatedAt).toISOString()).toBe(body.visitor._updatedAt)
  })

  it('uses a given username instead of a guest number', async () => {
    const visitor = await register({ token: newToken(), username: 'maria' })
    expect(visitor.username).toBe('maria')
  })

  it('gives each new visitor a new guest number', async () => {
    const a = await register({ token: newToken() })
    const b = await register({ token: newToken() })
    expect(a.username).not.toBe(b.username)
    expect(Number(b.username.slice(6))).toBeGreaterThan(Number(a.username.slice(6)))
  })

  it('stores only the fields sent, with no livechatData when no custom field applies', async () => {
    const visitor = await register({ token: newToken(), customFields: [{ key: 'nope', value: 'x', overwrite: true }] })
    expect(Object.keys(visitor).sort()).toEqual(['_id', '_updatedAt', 'status', 'token', 'ts', 'username'])
  })

  it('trims and lowercases the email', async () => {
    const visitor = await register({ token: newToken(), email: '  Ana.Silva@Example.COM ' })
    expect(visitor.visitorEmails).toEqual([{ address: 'ana.silva@example.com' }])
  })

  it('treats empty strings as not sent, as Rocket.Chat does', async () => {
    const visitor = await register({ token: newToken(), name: '', email: '', phone: '', department: '' })
    expect(visitor).not.toHaveProperty('name')
    expect(visitor).not.toHaveProperty('visitorEmails')
    expect(visitor).not.toHaveProperty('phone')
    expect(visitor).not.toHaveProperty('department')
  })

  it('ignores unknown keys inside visitor', async () => {
    const visitor = await register({ token: newToken(), favouriteColour: 'blue' })
    expect(visitor).not.toHaveProperty('favouriteColour')
  })
})

describe('POST /api/v1/livechat/visitor with a known token updates that visitor', () => {
  it('keeps _id, username and ts, and sets only the fields sent', async () => {
    const token = newToken()
    const first = await register({ token, name: 'Ana', email: 'ana@example.com', phone: '+1 555 0100' })
    const second = await register({ token, name: 'Ana Silva', username: 'ignored' })
    expect(second._id).toBe(first._id)
    expect(second.username).toBe(first.username)
    expect(second.ts).toBe(first.ts)
    expect(second.name).toBe('Ana Silva')
    expect(second.visitorEmails).toEqual([{ address: 'ana@example.com' }])
    expect(second.phone).toEqual([{ phoneNumber: '+1 555 0100' }])
    expect(second._updatedAt >= first._updatedAt).toBe(true)
    expect(await fetchVisitor(token)).toEqual(second)
  })

  it('replaces the email and phone instead of adding to them', async () => {
    const token = newToken()
    await register({ token, email: 'old@example.com', phone: '111' })
    const visitor = await register({ token, email: 'new@example.com', phone: '222' })
    expect(visitor.visitorEmails).toEqual([{ address: 'new@example.com' }])
    expect(visitor.phone).toEqual([{ phoneNumber: '222' }])
  })
})

describe('MATCH_VISITORS_BY_CONTACT=true: Rocket.Chat\'s matching by phone, then email', () => {
  const rc = { MATCH_VISITORS_BY_CONTACT: 'true' }

  it('updates the visitor with the same phone, which keeps its old token', async () => {
    const phone = `+55 51 ${newToken()}`
    const original = await register({ token: newToken(), phone, name: 'Old' })
    const newcomer = newToken()
    const matched = await register({ token: newcomer, phone, name: 'New' }, rc)
    expect(matched._id).toBe(original._id)
    expect(matched.token).toBe(original.token)
    expect(matched.name).toBe('New')
    expect(await fetchVisitor(newcomer)).toBeNull()
  })

  it('updates the visitor with the same email, which takes the new token', async () => {
    const email = `${newToken().toLowerCase()}@example.com`
    const original = await register({ token: newToken(), email })
    const newcomer = newToken()
    const matched = await register({ token: newcomer, email: email.toUpperCase() }, rc)
    expect(matched._id).toBe(original._id)
    expect(matched.token).toBe(newcomer)
    expect((await fetchVisitor(newcomer))?._id).toBe(original._id)
    expect(await fetchVisitor(original.token)).toBeNull()
  })

  it('prefers the phone match over the email match', async () => {
    const phone = newToken()
    const email = `${newToken().toLowerCase()}@example.com`
    const byPhone = await register({ token: newToken(), phone })
    await register({ token: newToken(), email })
    const matched = await register({ token: newToken(), phone, email }, rc)
    expect(matched._id).toBe(byPhone._id)
  })

  it('does not match a visitor whose phone has since changed', async () => {
    const token = newToken()
    const phone = newToken()
    const original = await register({ token, phone })
    await register({ token, phone: 'changed' })
    const other = await register({ token: newToken(), phone }, rc)
    expect(other._id).not.toBe(original._id)
  })
})

describe('departments', () => {
  it('stores a department given by id', async () => {
    expect((await register({ token: newToken(), department: 'sales' })).department).toBe('sales')
  })

  it('stores a department given by name as its id', async () => {
    expect((await register({ token: newToken(), department: 'Support' })).department).toBe('support')
  })

  it('refuses an unknown department and stores nothing', async () => {
    const token = newToken()
    const response = await postVisitor({ visitor: { token, department: 'billing' } })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      success: false,
      error: 'The provided department is invalid [error-invalid-department]',
      errorType: 'error-invalid-department',
    })
    expect(await fetchVisitor(token)).toBeNull()
  })
})

describe('the default, MATCH_VISITORS_BY_CONTACT=verified', () => {
  it('never matches by phone or email: a new token with a known phone and email is a new visitor', async () => {
    const phone = newToken()
    const email = `${newToken().toLowerCase()}@example.com`
    const original = await register({ token: newToken(), phone, email, name: 'Original' })
    const other = await register({ token: newToken(), phone, email, name: 'Other' })
    expect(other._id).not.toBe(original._id)
    expect(other.name).toBe('Other')
    expect(JSON.stringify(other)).not.toContain(original.token)
    expect((await fetchVisitor(original.token))?.name).toBe('Original')
  })
})

describe('MATCH_VISITORS_BY_CONTACT=false', () => {
  const tokenOnly = { MATCH_VISITORS_BY_CONTACT: 'false' }

  it('creates a new visitor for a new token even when the phone and email are known', async () => {
    const phone = newToken()
    const email = `${newToken().toLowerCase()}@example.com`
    const original = await register({ token: newToken(), phone, email, name: 'Original' }, { MATCH_VISITORS_BY_CONTACT: 'true' })
    const other = await register({ token: newToken(), phone, email, name: 'Other' }, tokenOnly)
    expect(other._id).not.toBe(original._id)
    expect((await fetchVisitor(original.token))?.name).toBe('Original')
  })
})
