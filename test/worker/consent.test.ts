// Data processing consent, as Rocket.Chat has it (forceAcceptDataProcessingConsent): with
// LIVECHAT_CONSENT_TEXT set, a registration must carry `visitor.consent: true`, and the contact
// keeps the text agreed to and when. Off, `consent` is ignored.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { keys } from '../../worker/src/keys.ts'
import { agentsRead } from './agents-read.ts'
import { expectStatus, post } from './chat-support.ts'
import { call, createAgent, env, fetchVisitor, newToken, postVisitor, register, snapshot } from './support.ts'

const TEXT = 'I agree that Example Shop stores what I send here to answer me.'
const on = { LIVECHAT_CONSENT_TEXT: TEXT } as Partial<Env>

const CONSENT_REQUIRED = {
  success: false,
  error: 'The data processing consent must be accepted [error-consent-required]',
  errorType: 'error-consent-required',
}

afterEach(() => {
  vi.restoreAllMocks()
})

/** Expects a refusal with exactly `body` and nothing stored. */
async function expectRefused(visitor: Record<string, unknown>, overrides: Partial<Env>, status: number, body: object) {
  const before = await snapshot()
  const response = await postVisitor({ visitor }, overrides)
  expect(response.status).toBe(status)
  expect(await response.json()).toEqual(body)
  expect(await snapshot()).toEqual(before)
}

describe('consent off (no LIVECHAT_CONSENT_TEXT, the default)', () => {
  it('the widget is told nothing about consent', async () => {
    const { config } = await expectStatus<any>(await call('/api/v1/livechat/config'), 200)
    expect(config.settings).not.toHaveProperty('forceAcceptDataProcessingConsent')
    expect(config).not.toHaveProperty('messages')
  })

  for (const consent of [true, false, null, undefined]) {
    it(`registers with consent ${String(consent)} and stores none`, async () => {
      const visitor = await register({ token: newToken(), name: 'Ana', consent })
      expect(visitor).not.toHaveProperty('consent')
      expect(JSON.parse((await env.CONTACTS.get(keys.visitor(visitor._id)))!)).not.toHaveProperty('consent')
    })
  }
})

describe('consent on', () => {
  it('the widget gets Rocket.Chat\'s setting and the text', async () => {
    const { config } = await expectStatus<any>(await call('/api/v1/livechat/config', {}, on), 200)
    expect(config.settings.forceAcceptDataProcessingConsent).toBe(true)
    expect(config.messages).toEqual({ dataProcessingConsentText: TEXT })
  })

  for (const consent of [undefined, null, false]) {
    it(`refuses consent ${String(consent)}: 400 error-consent-required, nothing stored`, async () => {
      const token = newToken()
      await expectRefused({ token, name: 'Ana', consent }, on, 400, CONSENT_REQUIRED)
      expect(await fetchVisitor(token)).toBeNull()
    })
  }

  it('does not let an existing contact change without consent', async () => {
    const token = newToken()
    const visitor = await register({ token, name: 'Ana' })
    await expectRefused({ token, name: 'Renamed' }, on, 400, CONSENT_REQUIRED)
    expect(await fetchVisitor(token)).toEqual(visitor)
  })

  it('stores the text agreed and when; the visitor and agents see it, KV\'s copy holds it', async () => {
    const before = Date.now()
    const visitor = await register({ token: newToken(), name: 'Ana', consent: true }, on)
    const after = Date.now()
    expect(visitor.consent).toEqual({ text: TEXT, at: expect.any(String) })
    const at = Date.parse(visitor.consent!.at)
    expect(at).toBeGreaterThanOrEqual(before)
    expect(at).toBeLessThanOrEqual(after)
    expect(new Date(at).toISOString()).toBe(visitor.consent!.at)
    expect((await fetchVisitor(visitor.token))!.consent).toEqual(visitor.consent)
    for (const read of await agentsRead(visitor._id)) expect(read.consent).toEqual(visitor.consent)
  })

  it('keeps the first agreement to a text: updates that send it again do not move its time', async () => {
    const token = newToken()
    const first = await register({ token, name: 'Ana', consent: true }, on)
    await new Promise((resolve) => setTimeout(resolve, 5))
    const update = await register({ token, name: 'Ana B', consent: true }, on)
    expect(update.consent).toEqual(first.consent)
    expect((await fetchVisitor(token))!.consent).toEqual(first.consent)
  })

  it('replaces the record when the visitor agrees to a new text: that text and its time', async () => {
    const token = newToken()
    const first = await register({ token, name: 'Ana', consent: true }, on)
    const changed = 'We store your messages for 90 days.'
    const second = await register({ token, consent: true }, { LIVECHAT_CONSENT_TEXT: changed } as Partial<Env>)
    expect(second.consent!.text).toBe(changed)
    expect(Date.parse(second.consent!.at)).toBeGreaterThanOrEqual(Date.parse(first.consent!.at))
    expect((await fetchVisitor(token))!.consent!.text).toBe(changed)
  })

  it('turned off later, keeps what was agreed', async () => {
    const token = newToken()
    const agreed = await register({ token, name: 'Ana', consent: true }, on)
    const later = await register({ token, name: 'Ana B' })
    expect(later.consent).toEqual(agreed.consent)
  })

  it('shows and stores a multi-line text as one line, as the widget shows it', async () => {
    const multiLine = { LIVECHAT_CONSENT_TEXT: '\n  I agree that Example Shop\n  stores what I send.\n' } as Partial<Env>
    const { config } = await expectStatus<any>(await call('/api/v1/livechat/config', {}, multiLine), 200)
    expect(config.messages.dataProcessingConsentText).toBe('I agree that Example Shop stores what I send.')
    const visitor = await register({ token: newToken(), consent: true }, multiLine)
    expect(visitor.consent!.text).toBe('I agree that Example Shop stores what I send.')
  })

  it('is not asked of agents creating a contact', async () => {
    const { headers } = await createAgent()
    const saved = await post('/api/v1/omnichannel/contact', { token: newToken(), name: 'From the phone' }, headers, on)
    expect(saved.status).toBe(200)
  })
})

describe('a malformed consent is refused whether consent is on or off', () => {
  for (const [what, overrides] of [['off', {}], ['on', on]] as const) {
    for (const consent of ['yes', 1, {}]) {
      it(`${what}: consent ${JSON.stringify(consent)} → 400 naming visitor.consent, nothing stored`, async () => {
        const before = await snapshot()
        const response = await postVisitor({ visitor: { token: newToken(), consent } }, overrides)
        const body = await response.json<any>()
        expect(response.status).toBe(400)
        expect(body.success).toBe(false)
        expect(body.error).toMatch(/^Match error: .*visitor\.consent$/)
        expect(await snapshot()).toEqual(before)
      })
    }
  }
})

describe('a broken LIVECHAT_CONSENT_TEXT is a configuration error', () => {
  it('too long (over 2000 characters): registration and the widget\'s config answer 500, the log names it', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const broken = { LIVECHAT_CONSENT_TEXT: 'x'.repeat(2001) } as Partial<Env>
    await expectRefused({ token: newToken(), consent: true }, broken, 500, {
      success: false, error: 'Invalid server configuration [error-invalid-config]', errorType: 'error-invalid-config',
    })
    expect((await call('/api/v1/livechat/config', {}, broken)).status).toBe(500)
    expect(error.mock.calls.map(String)).toEqual([
      'Invalid server configuration: LIVECHAT_CONSENT_TEXT: must be at most 2000 characters',
      'Invalid server configuration: LIVECHAT_CONSENT_TEXT: must be at most 2000 characters',
    ])
  })
})

describe('offline messages ask for the same consent (they store a contact too)', () => {
  const message = (extra: Record<string, unknown> = {}) =>
    ({ name: 'Olga', email: `olga-${newToken().toLowerCase()}@example.com`, message: 'Call me back', ...extra })

  for (const consent of [undefined, null, false]) {
    it(`consent ${String(consent)}: 400 error-consent-required, no contact and no room`, async () => {
      const before = await snapshot()
      const response = await post('/api/v1/livechat/offline.message', message(consent === undefined ? {} : { consent }), {}, on)
      expect(await expectStatus(response, 400)).toEqual(CONSENT_REQUIRED)
      expect(await snapshot()).toEqual(before)
    })
  }

  it('consent true: the contact holds the text agreed and when', async () => {
    const body = message({ consent: true })
    await expectStatus(await post('/api/v1/livechat/offline.message', body, {}, on), 200)
    const agent = await createAgent()
    const { visitors } = await expectStatus<{ visitors: { consent?: { text: string; at: string } }[] }>(
      await call(`/api/v1/livechat/visitors.search?term=${encodeURIComponent(body.email)}`, { headers: agent.headers }), 200)
    expect(visitors).toHaveLength(1)
    expect(visitors[0].consent?.text).toBe(TEXT)
    expect(Date.now() - Date.parse(visitors[0].consent!.at)).toBeLessThan(60_000)
  })

  it('off: no consent needed, none stored, a malformed one still refused', async () => {
    await expectStatus(await post('/api/v1/livechat/offline.message', message()), 200)
    await expectStatus(await post('/api/v1/livechat/offline.message', message({ consent: 'yes' })), 400)
  })
})
