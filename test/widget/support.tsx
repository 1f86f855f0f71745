// Shared set-up for the widget's component tests: a scripted `fetch` (the server is not
// the unit under test here; the real Worker is exercised by the browser tests) and a
// rendered widget built from the same parts main.tsx uses.
import { cleanup, fireEvent, render } from '@testing-library/preact'
import { afterEach, vi } from 'vitest'
import { createApiClient, type LivechatConfig } from '../../widget/src/api-client'
import { loadChatWhenNeeded } from '../../widget/src/chat-loader'
import { App } from '../../widget/src/components/App'
import type { Lang } from '../../widget/src/i18n'
import { loadLanguageWhenNeeded, type LoadStrings } from '../../widget/src/language-loader'
import type { LoadSubmit } from '../../widget/src/submit'
import { toList } from '../../widget/src/strings/list'
import { createVisitorMemory } from '../../widget/src/visitor-memory'
import { createWidget, type Widget } from '../../widget/src/widget'

export const API = 'https://chat.example'

/** The page the tests run on, as registrations tell it (visitor.sourcePage). */
export const page = () => ({ url: location.href, title: document.title })

/** Ticks (or unticks) a checkbox as a visitor does: its `input` event carries the new state. */
export const tick = (box: HTMLInputElement) => {
  box.checked = !box.checked
  fireEvent.input(box)
}

/** Widgets mounted by this test: reset afterwards, which stops a chat session's socket and timers. */
const mounted: Widget[] = []

afterEach(() => {
  for (const widget of mounted.splice(0)) widget.reset()
  cleanup()
  localStorage.clear()
  vi.useRealTimers()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

export const CONFIG: LivechatConfig = {
  title: 'Chat with us',
  theme: { color: '#1d74f5', fontColor: '#ffffff', position: 'right' },
  registrationForm: { name: 'required', email: 'required', phone: 'optional' },
  customFields: [{ _id: 'address', label: 'Address', type: 'input', required: false, regexp: '', options: '' }],
  departments: [
    { _id: 'sales', name: 'Sales' },
    { _id: 'support', name: 'Support' },
  ],
}

export interface Sent {
  method: string
  path: string
  body?: any
  /** The X-Turnstile-Token header, when there was one. */
  turnstile?: string
}

type Answer = Response | 'network-error'
type Reply = Answer | ((req: Sent) => Answer | Promise<Answer>)

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

/**
 * Stubs global fetch. `routes` maps "METHOD /path" (path prefix) to replies; a list of replies
 * is used one per request, the last one repeating. Every request is recorded in `sent`.
 */
export function stubServer(routes: Record<string, Reply | Reply[]> = {}) {
  const sent: Sent[] = []
  const all: Record<string, Reply | Reply[]> = {
    'GET /api/v1/livechat/config': json({ config: CONFIG, success: true }),
    'POST /api/v1/livechat/visitor': (req) => json({ visitor: { name: req.body.visitor.name }, success: true }),
    'GET /api/v1/livechat/visitor/': json({ visitor: { name: 'Ana' }, success: true }),
    ...routes,
  }
  const fetch = vi.fn(async (input: string, init?: RequestInit) => {
    const url = new URL(input)
    const turnstile = new Headers(init?.headers).get('x-turnstile-token')
    const req: Sent = { method: init?.method ?? 'GET', path: url.pathname, body: init?.body && JSON.parse(String(init.body)), ...(turnstile && { turnstile }) }
    sent.push(req)
    const route = Object.keys(all)
      .filter((r) => `${req.method} ${req.path}`.startsWith(r))
      .sort((a, b) => b.length - a.length)[0]
    if (!route) throw new Error(`unexpected request ${req.method} ${req.path}`)
    const replies = all[route]
    const list = Array.isArray(replies) ? replies : [replies]
    const used = sent.filter((s) => `${s.method} ${s.path}`.startsWith(route)).length - 1
    let reply = list[Math.min(used, list.length - 1)]
    if (typeof reply === 'function') reply = await reply(req)
    if (reply === 'network-error') throw new TypeError('Failed to fetch')
    return reply.clone()
  })
  vi.stubGlobal('fetch', fetch)
  return { sent, posts: () => sent.filter((s) => s.method === 'POST') }
}

// The submit chunk, as a browser has it by the time a visitor has filled the form in (the form
// fetches it as it appears); chunk-loading.test.tsx submits before it arrives, too.
const submit = await import('../../widget/src/submit')

export function mountWidget(
  options: { lang?: Lang; open?: boolean; storage?: () => Storage; chat?: boolean; loadStrings?: LoadStrings; submit?: LoadSubmit } = {},
) {
  const api = createApiClient(API)
  const widget = createWidget({
    api,
    memory: createVisitorMemory(options.storage ?? (() => localStorage)),
    lang: options.lang ?? 'en',
    extras: () => import('../../widget/src/extras'),
    submit: options.submit ?? (async () => submit),
  })
  // The language and chat chunks from source (the build's import() of strings-de.js, chat.js… is for browsers).
  loadLanguageWhenNeeded(widget, options.loadStrings ?? (async (lang) => ({ default: toList((await import(`../../widget/src/strings/${lang}.ts`)).default) })))
  if (options.chat) loadChatWhenNeeded(widget, api, API, () => import('../../widget/src/chat/index'))
  mounted.push(widget)
  const view = render(<App widget={widget} />)
  if (options.open !== false) widget.open()
  void widget.load()
  return { widget, ...view }
}
