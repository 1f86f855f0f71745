import { waitFor } from '@testing-library/preact'
import { afterEach, expect, test, vi } from 'vitest'
import { stubServer } from './support'

/** The chunks the widget imported, by URL: served from source (happy-dom cannot import over the
 * network; the browser tests load the built ones). */
const imported = vi.hoisted((): string[] => [])
vi.mock('../../widget/src/chunks', () => ({
  importer: (scriptSrc: string) => async (file: string) => {
    imported.push(new URL(file, scriptSrc).href)
    // A language chunk is its list of texts (the build makes it from the module).
    const { toList } = await import('../../widget/src/strings/list')
    const strings = await import(`../../widget/src/strings/${file.slice('strings-'.length, -'.js'.length)}.ts`)
    return { default: toList(strings.default) }
  },
}))

const boot = async () => {
  vi.resetModules()
  await import('../../widget/src/main')
  return document.querySelector('ecc-chat')!.shadowRoot!
}

afterEach(() => {
  imported.length = 0
  document.querySelector('ecc-chat')?.remove()
  delete window.LiveChat
  delete window.RocketChat
  delete (document as any).currentScript
})

test('the plain snippet renders into an open shadow root, styled by adopted stylesheets, using data-* options', async () => {
  const server = stubServer()
  const script = document.createElement('script')
  script.src = 'https://chat.example/widget.js'
  script.dataset.lang = 'de'
  script.dataset.position = 'left'
  Object.defineProperty(document, 'currentScript', { value: script, configurable: true })
  const shadow = await boot()
  expect(document.body.lastElementChild!.tagName).toBe('ECC-CHAT')
  expect(shadow.adoptedStyleSheets).toHaveLength(2)
  expect(document.querySelector('style, [style]')).toBeNull()
  expect(shadow.querySelector('style, [style]')).toBeNull()
  // German, from its chunk beside the script.
  await waitFor(() => expect(shadow.querySelector('.launcher')!.getAttribute('aria-label')).toBe('Chat öffnen'))
  expect(imported).toEqual(['https://chat.example/strings-de.js'])
  expect(shadow.querySelector('.ecc')!.className).toBe('ecc left')
  await waitFor(() => expect(server.sent).toHaveLength(1))
  expect(vi.mocked(fetch).mock.calls[0][0]).toBe('https://chat.example/api/v1/livechat/config')
})

test('data-api overrides the API origin', async () => {
  stubServer()
  const script = document.createElement('script')
  script.src = 'https://cdn.example/widget.js'
  script.dataset.api = 'https://chat.example/'
  Object.defineProperty(document, 'currentScript', { value: script, configurable: true })
  await boot()
  await waitFor(() => expect(vi.mocked(fetch).mock.calls[0][0]).toBe('https://chat.example/api/v1/livechat/config'))
})

test("Rocket.Chat's snippet: the API origin is RocketChat.url's and queued calls run before the first render", async () => {
  stubServer()
  const calls: unknown[] = []
  window.RocketChat = Object.assign(() => {}, {
    _: [
      function (this: any) {
        calls.push(this === window.RocketChat!.livechat)
        this.setTheme({ title: 'Support', color: '#005a9c' })
        this.maximizeWidget()
      },
    ],
    url: 'https://rc.example/livechat',
  }) as any
  const shadow = await boot()
  expect(calls).toEqual([true])
  expect(shadow.querySelector('#ecc-title')!.textContent).toBe('Support')
  expect(shadow.adoptedStyleSheets[1].cssRules[0].cssText).toContain('#005a9c')
  await waitFor(() => expect(vi.mocked(fetch).mock.calls[0][0]).toBe('https://rc.example/api/v1/livechat/config'))
})

test('loading the script twice keeps one widget', async () => {
  stubServer()
  await boot()
  const first = window.LiveChat
  vi.resetModules()
  await import('../../widget/src/main')
  expect(window.LiveChat).toBe(first)
  expect(document.querySelectorAll('ecc-chat')).toHaveLength(1)
})
