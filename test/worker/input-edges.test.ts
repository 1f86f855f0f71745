// The edges of POST /api/v1/livechat/visitor's input: control characters beyond ASCII, null as
// "not sent", an email's length measured after trimming, the bound on what a pattern runs on,
// custom field ids that are Object.prototype's names, and the shape of a signed identity.
import { describe, expect, it } from 'vitest'
import type { Visitor } from '../../shared/visitor.ts'
import { LIMITS } from '../../shared/visitor-rules.ts'
import { call, createAgent, fetchVisitor, getContact, newToken, postVisitor, register, signIdentity, snapshot, withSecret } from './support.ts'

/** Sends `visitor` and expects a 400 with exactly `error` (and `errorType`), leaving everything as it was. */
async function expectRefused(visitor: Record<string, unknown>, error: string, errorType?: string, overrides: Partial<Env> = {}) {
  await register({ token: newToken(), name: 'someone already stored' })
  const before = await snapshot()
  const response = await postVisitor({ visitor }, overrides)
  expect(response.status).toBe(400)
  expect(await response.json()).toEqual({ success: false, error, ...(errorType && { errorType }) })
  expect(await snapshot()).toEqual(before)
}

describe('control characters are refused in every field, C1 as well as C0', () => {
  const controls: [string, string][] = [
    ['NEL (U+0085)', '\u0085'],
    ['CSI (U+009B)', '\u009b'],
    ['U+0080', '\u0080'],
    ['U+009F', '\u009f'],
    ['DEL (U+007F)', '\u007f'],
    ['NUL', '\u0000'],
    ['ESC', '\u001b'],
    ['a tab', '\t'],
    ['a newline', '\n'],
  ]
  for (const [name, c] of controls) {
    describe(name, () => {
      for (const field of ['name', 'phone', 'username', 'department'] as const) {
        it(`in ${field}`, () =>
          expectRefused({ token: newToken(), [field]: `Sa${c}les` }, `Match error: visitor.${field} must not contain control characters`))
      }
      it('in email, inside the address (trimming cannot remove it)', () =>
        expectRefused({ token: newToken(), email: `an${c}a@example.com` }, 'Match error: visitor.email must not contain control characters'))
      it('in a custom field value', () =>
        expectRefused(
          { token: newToken(), customFields: [{ key: 'address', value: `Main${c}St`, overwrite: true }] },
          'Invalid value for Address field [error-invalid-custom-field-value]',
          'error-invalid-custom-field-value',
        ))
      it('in a verified identifier', async () =>
        expectRefused(
          { token: newToken(), identity: await signIdentity(`user${c}1`) },
          'Match error: visitor.identity.identifier must not contain control characters',
          undefined,
          withSecret,
        ))
    })
  }
})

describe('null is "not sent"', () => {
  const nulls = { name: null, email: null, phone: null, department: null, username: null, customFields: null, identity: null }

  it('a registration with every optional field null is accepted, and none of them appears', async () => {
    const token = newToken()
    const response = await postVisitor({ visitor: { token, ...nulls } }, withSecret)
    const { visitor } = await response.json<{ visitor: Visitor }>()
    expect(response.status).toBe(200)
    expect(Object.keys(visitor).sort()).toEqual(['_id', '_updatedAt', 'status', 'token', 'ts', 'username'])
    expect(visitor.username).toMatch(/^guest-\d+$/)
    expect(await fetchVisitor(token)).toEqual(visitor)
  })

  it('null erases nothing already stored', async () => {
    const token = newToken()
    const stored = await register({
      token,
      name: 'Ana',
      email: 'ana@example.com',
      phone: '+351 912 345 678',
      department: 'sales',
      username: `ana-${token}`,
      customFields: [{ key: 'address', value: 'Main St', overwrite: true }],
      identity: await signIdentity(`ana-${token}`),
    }, withSecret)
    expect(stored).toMatchObject({ name: 'Ana', verified: true, livechatData: { address: 'Main St' } })

    const again = await register({ token, ...nulls }, withSecret)
    const expected = { ...stored, _updatedAt: again._updatedAt }
    expect(again).toEqual(expected)
    expect(await fetchVisitor(token)).toEqual(expected)
    const { headers } = await createAgent()
    expect(await (await getContact(`?contactId=${stored._id}`, headers)).json()).toEqual({ contact: expected, success: true })
  })

  it('null stays refused where a value is required', async () => {
    await expectRefused({ token: null } as never, 'Match error: Expected string, got null in field visitor.token')
    await expectRefused({ token: newToken(), customFields: [{ key: 'address', value: null, overwrite: true }] },
      'Match error: Expected string, got null in field visitor.customFields.0.value')
  })
})

describe('prototype keys in the body set nothing', () => {
  it('`__proto__` and `constructor` inside visitor are ignored like any unknown key', async () => {
    const token = newToken()
    const body = `{"visitor": {"token": "${token}", "__proto__": {"name": "Eve", "department": "nowhere"}, "constructor": {"prototype": {"name": "Eve"}}}}`
    const response = await postVisitor(body)
    const { visitor } = await response.json<{ visitor: Visitor }>()
    expect(response.status).toBe(200)
    expect(Object.keys(visitor).sort()).toEqual(['_id', '_updatedAt', 'status', 'token', 'ts', 'username'])
    expect(({} as Record<string, unknown>).name).toBeUndefined()
  })

  it('a top-level `__proto__` key is an unknown key', async () => {
    const response = await postVisitor(`{"visitor": {"token": "${newToken()}"}, "__proto__": {"x": 1}}`)
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ success: false, error: 'Match error: Unknown key in field __proto__' })
  })
})

describe('email length is measured after trimming', () => {
  // 242 + 12 = 254 characters, the most an address may have.
  const local = 'Ana.' + 'X'.repeat(238)
  const longest = `${local}@Example.COM`

  it('an address that fits once trimmed is accepted, stored trimmed and lowercased', async () => {
    expect(longest).toHaveLength(LIMITS.email)
    const padded = `   ${longest}\t `
    expect(padded.length).toBeGreaterThan(LIMITS.email)
    const visitor = await register({ token: newToken(), email: padded })
    expect(visitor.visitorEmails).toEqual([{ address: longest.toLowerCase() }])
    expect(await fetchVisitor(visitor.token)).toEqual(visitor)
  })

  it('an address too long once trimmed is refused', () =>
    expectRefused({ token: newToken(), email: `  x${longest}  ` }, `Match error: visitor.email must be at most ${LIMITS.email} characters`))
})

describe('a pattern runs on at most LIMITS.patternInput characters', () => {
  const fields = {
    LIVECHAT_CUSTOM_FIELDS: JSON.stringify([
      { _id: 'nick', label: 'Nickname', scope: 'visitor', regexp: '^[a-z]+$' },
      { _id: 'note', label: 'Note', scope: 'visitor' },
    ]),
  } as Partial<Env>
  const nick = (value: string) => ({ token: newToken(), customFields: [{ key: 'nick', value, overwrite: true }] })

  it(`accepts a matching value of ${LIMITS.patternInput} characters`, async () => {
    const value = 'a'.repeat(LIMITS.patternInput)
    const visitor = await register(nick(value), fields)
    expect(visitor.livechatData).toEqual({ nick: value })
  })

  it(`refuses a value of ${LIMITS.patternInput + 1} characters, although it matches`, () => {
    const value = 'a'.repeat(LIMITS.patternInput + 1)
    expect(/^[a-z]+$/.test(value)).toBe(true)
    return expectRefused(nick(value), 'Invalid value for Nickname field [error-invalid-custom-field-value]', 'error-invalid-custom-field-value', fields)
  })

  it(`a field without a pattern takes up to ${LIMITS.customValue} characters`, async () => {
    const value = 'b'.repeat(LIMITS.customValue)
    const visitor = await register({ token: newToken(), customFields: [{ key: 'note', value, overwrite: true }] }, fields)
    expect(visitor.livechatData).toEqual({ note: value })
    await expectRefused({ token: newToken(), customFields: [{ key: 'note', value: value + 'b', overwrite: true }] },
      'Invalid value for Note field [error-invalid-custom-field-value]', 'error-invalid-custom-field-value', fields)
  })
})

describe('custom field ids named like Object.prototype\'s members are plain fields', () => {
  const IDS = ['constructor', 'toString', '__proto__', 'hasOwnProperty']
  const fields = {
    LIVECHAT_CUSTOM_FIELDS: JSON.stringify(IDS.map((_id) => ({ _id, label: `Field ${_id}`, scope: 'visitor' }))),
  } as Partial<Env>
  const send = (token: string, suffix: string, overwrite: boolean) =>
    postVisitor({ visitor: { token, customFields: IDS.map((key) => ({ key, value: `${key}-${suffix}`, overwrite })) } }, fields)
  const data = (suffix: string) => Object.fromEntries(IDS.map((key) => [key, `${key}-${suffix}`]))

  /** The response's JSON text, its livechatData's own keys and values (JSON.parse keeps `__proto__` as an own key). */
  async function livechatDataOf(response: Response, path: 'visitor' | 'contact') {
    expect(response.status).toBe(200)
    const text = await response.text()
    const livechatData = JSON.parse(text)[path].livechatData
    return { text, keys: Object.keys(livechatData).sort(), entries: Object.fromEntries(Object.entries(livechatData)) }
  }

  /** Checks the POST answer, GET visitor/:token and the agents' GET contact all hold `expected`. */
  async function expectEverywhere(post: Response, token: string, expected: Record<string, string>) {
    const { headers } = await createAgent()
    const posted = await livechatDataOf(post, 'visitor')
    const id = JSON.parse(posted.text).visitor._id
    const read = await livechatDataOf(await call(`/api/v1/livechat/visitor/${token}`, {}, fields), 'visitor')
    const contact = await livechatDataOf(await getContact(`?contactId=${id}`, headers), 'contact')
    for (const seen of [posted, read, contact]) {
      expect(seen.keys).toEqual([...IDS].sort())
      expect(seen.entries).toEqual(expected)
      for (const [key, value] of Object.entries(expected)) expect(seen.text).toContain(`${JSON.stringify(key)}:${JSON.stringify(value)}`)
    }
  }

  it('overwrite:false fills them when empty', async () => {
    const token = newToken()
    await expectEverywhere(await send(token, 'first', false), token, data('first'))
  })

  it('overwrite:false then keeps them', async () => {
    const token = newToken()
    expect((await send(token, 'first', false)).status).toBe(200)
    await expectEverywhere(await send(token, 'second', false), token, data('first'))
  })

  it('overwrite:true sets them, on a new visitor and over stored values', async () => {
    const token = newToken()
    await expectEverywhere(await send(token, 'first', true), token, data('first'))
    await expectEverywhere(await send(token, 'second', true), token, data('second'))
  })

  it('they do not leak onto other objects', async () => {
    const token = newToken()
    expect((await send(token, 'x', true)).status).toBe(200)
    expect(({} as Record<string, unknown>).hasOwnProperty).toBe(Object.prototype.hasOwnProperty)
    expect(Object.getPrototypeOf({})).toBe(Object.prototype)
    expect(`${{}}`).toBe('[object Object]')
  })
})

describe('a signed identity of the wrong shape is a Match error naming the field, and stores nothing', () => {
  const cases: [string, (id: Record<string, unknown>) => unknown, string][] = [
    ['a signature of 63 hex digits', (id) => ({ ...id, signature: String(id.signature).slice(1) }), 'Match error: visitor.identity.signature must be 64 hex digits (HMAC-SHA-256)'],
    ['a signature of 64 non-hex characters', (id) => ({ ...id, signature: 'g'.repeat(64) }), 'Match error: visitor.identity.signature must be 64 hex digits (HMAC-SHA-256)'],
    ['a signature that is a number', (id) => ({ ...id, signature: 42 }), 'Match error: Expected string, got number in field visitor.identity.signature'],
    ['expires with a fraction', (id) => ({ ...id, expires: Number(id.expires) + 0.5 }), 'Match error: visitor.identity.expires must be whole seconds since 1970'],
    ['expires as a string', (id) => ({ ...id, expires: String(id.expires) }), 'Match error: Expected number, got string in field visitor.identity.expires'],
    ['an empty identifier', (id) => ({ ...id, identifier: '' }), 'Match error: visitor.identity.identifier must not be empty'],
    ['an identifier that is too long', (id) => ({ ...id, identifier: 'i'.repeat(257) }), 'Match error: visitor.identity.identifier must be at most 256 characters'],
    ['an extra key', (id) => ({ ...id, extra: 1 }), 'Match error: Unknown key in field visitor.identity.extra'],
    ['no signature', ({ signature: _, ...id }) => id, "Match error: Missing key 'signature' in field visitor.identity"],
    ['a string', () => 'user-1.123.abc', 'Match error: Expected object, got string in field visitor.identity'],
  ]
  for (const [what, change, error] of cases) {
    it(what, async () => {
      const token = newToken()
      const identity = await signIdentity('user-1')
      await expectRefused({ token, identity: change(identity) }, error, undefined, withSecret)
      expect(await fetchVisitor(token)).toBeNull()
    })
  }

  it('even where no secret is configured: the shape is checked first', async () => {
    const identity = await signIdentity('user-1')
    await expectRefused({ token: newToken(), identity: { ...identity, extra: 1 } }, 'Match error: Unknown key in field visitor.identity.extra',
      undefined, { VISITOR_IDENTITY_SECRET: undefined } as Partial<Env>)
  })
})
