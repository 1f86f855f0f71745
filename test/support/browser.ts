// Chromium driven by playwright-core, and host pages served from another origin than the
// Worker, so every widget request is cross-origin as on a customer's site.
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import { chromium, type Browser, type Page } from 'playwright-core'
import { freePort, startWranglerDev, type DevOptions, type WranglerDev } from './wrangler-dev.ts'

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

const SYSTEM_BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']

/**
 * A Chromium to drive, never downloaded from anywhere but the npm registry: `CHROMIUM_PATH`, else a
 * system Chromium or Chrome, else the one `@sparticuz/chromium` ships inside its npm tarball
 * (unpacked into the temp directory on first use, about 2 s).
 */
export async function chromiumPath(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH
  const system = SYSTEM_BROWSERS.find((path) => existsSync(path))
  if (system) return system
  const { default: packaged } = await import('@sparticuz/chromium')
  return packaged.executablePath()
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumPath(), args: CHROMIUM_ARGS })
}

/** `wrangler dev` and Chromium, started together; if either fails, the other is stopped before the
 * error is thrown, so nothing outlives the test. */
export async function startDevAndChromium(options?: DevOptions): Promise<[WranglerDev, Browser]> {
  const [started, launched] = await Promise.allSettled([startWranglerDev(options), launchChromium()])
  if (started.status === 'fulfilled' && launched.status === 'fulfilled') return [started.value, launched.value]
  if (started.status === 'fulfilled') await started.value.stop()
  if (launched.status === 'fulfilled') await launched.value.close()
  throw started.status === 'rejected' ? started.reason : (launched as PromiseRejectedResult).reason
}

export interface HostPage {
  html: string
  headers?: Record<string, string>
}

/** Serves `pages` (path → page) on 127.0.0.1 at a port of its own: a different origin than the Worker. */
export async function serveHostPages(pages: Record<string, HostPage>): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort()
  const server: Server = createServer((request, response) => {
    const page = pages[new URL(request.url ?? '/', 'http://x').pathname]
    if (!page) {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...page.headers }).end(page.html)
  })
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok))
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  }
}

export const hostHtml = (body: string, head = '') =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Host page</title>${head}</head><body><main><h1>A customer's site</h1><p>Some content.</p></main>${body}</body></html>`

/** What has focus inside the widget's shadow root: an aria-label, a label's text, or the tag. */
export function focusedInWidget(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const root = document.querySelector('ecc-chat')?.shadowRoot
    const el = root?.activeElement as HTMLElement | null | undefined
    if (!el || document.activeElement !== root!.host) return null
    const label = el.id ? root!.querySelector(`label[for="${el.id}"]`)?.textContent : undefined
    return el.getAttribute('aria-label') ?? label?.trim() ?? el.tagName.toLowerCase()
  })
}

/** Runs axe-core on the page (it looks into open shadow roots) and returns its violations. */
export async function axeViolations(page: Page) {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
  await page.addScriptTag({ content: source })
  return page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; help: string; nodes: unknown[] }[] }> } }).axe.run()
    return result.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, count: nodes.length }))
  })
}
