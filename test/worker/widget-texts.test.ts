// LIVECHAT_WIDGET_TEXTS: the site owner's versions of the widget's visitor-facing texts, per
// language and text, handed to the widget as `config.texts`. Validated like every setting: a
// broken one answers the widget's config with 500 error-invalid-config and a log line naming it,
// and breaks nothing else.
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import { CHAT_TEXT_KEYS, FORM_TEXT_KEYS, WIDGET_LANGUAGES } from '../../shared/widget-texts.ts'
import { expectStatus } from './chat-support.ts'
import { call, newToken, postVisitor } from './support.ts'

const INVALID_CONFIG = { success: false, error: 'Invalid server configuration [error-invalid-config]', errorType: 'error-invalid-config' }

const config = async (texts?: string) =>
  (await expectStatus<{ config: Record<string, unknown> }>(await call('/api/v1/livechat/config', {}, withTexts(texts)), 200)).config
const withTexts = (texts?: string) => (texts === undefined ? {} : ({ LIVECHAT_WIDGET_TEXTS: texts } as Partial<Env>))

let consoleError: MockInstance<typeof console.error>
beforeEach(() => {
  consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => {
  vi.restoreAllMocks()
})

describe('set', () => {
  it('unset or empty: the widget gets no texts and keeps its own', async () => {
    expect(await config()).not.toHaveProperty('texts')
    expect(await config('')).not.toHaveProperty('texts')
    expect(await config('  {} ')).not.toHaveProperty('texts')
  })

  it('the widget gets the texts as the owner wrote them, for form and chat alike', async () => {
    const texts = {
      en: { known: 'Thanks! We reply within the hour.', knownAs: 'Thanks, {name}!' },
      'pt-BR': { submit: 'Começar', servedBy: 'Você fala com {name}.' },
      de: { offlineIntro: 'Schreiben Sie uns – wir antworten per E-Mail. 😀' },
    }
    expect((await config(JSON.stringify(texts))).texts).toEqual(texts)
  })

  it('every text of every language may be set', async () => {
    const all = Object.fromEntries(WIDGET_LANGUAGES.map((lang) => [lang, Object.fromEntries([...FORM_TEXT_KEYS, ...CHAT_TEXT_KEYS].map((key) => [key, `${lang} ${key}`]))]))
    expect((await config(JSON.stringify(all))).texts).toEqual(all)
  })
})

describe('refused, naming the setting and what is wrong', () => {
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{en: {known: "x"}}', /LIVECHAT_WIDGET_TEXTS/],
    ['not an object of languages', '["Thanks"]', /LIVECHAT_WIDGET_TEXTS.*language the widget does not have/],
    ['a language the widget lacks', '{"fr": {"known": "Merci"}}', /LIVECHAT_WIDGET_TEXTS.*it has en, pt-BR, es, de/],
    ['an unknown text', '{"en": {"welcome": "Hi"}}', /LIVECHAT_WIDGET_TEXTS at en.*unknown text: known ones are openChat/],
    ['a text that is not a string', '{"en": {"known": 1}}', /LIVECHAT_WIDGET_TEXTS at en\.known/],
    ['an empty text', '{"en": {"known": ""}}', /LIVECHAT_WIDGET_TEXTS at en\.known: must not be empty/],
    ['a text over 1000 characters', JSON.stringify({ en: { known: 'x'.repeat(1001) } }), /at en\.known: must be at most 1000 characters/],
    ['a control character', '{"en": {"known": "Thanks\\nBye"}}', /at en\.known: must not contain control characters/],
    ['a lone surrogate', '{"en": {"known": "\\ud800"}}', /at en\.known: must not contain control characters/],
  ]
  for (const [what, texts, logged] of cases) {
    it(what, async () => {
      const response = await call('/api/v1/livechat/config', {}, withTexts(texts))
      expect(response.status).toBe(500)
      expect(await response.json()).toEqual(INVALID_CONFIG)
      expect(consoleError.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(logged)
    })
  }

  it('only the widget config reads it: registrations go on', async () => {
    const token = newToken()
    const response = await postVisitor({ visitor: { token, name: 'Ana' } }, withTexts('{"fr": {}}'))
    expect(response.status).toBe(200)
  })
})
