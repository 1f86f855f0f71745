// Every path the router accepts gets the origin policy of its route: itty-router takes any number
// of trailing slashes after a route, and `/api/v1/login/` once skipped the agents' origin check.
import { describe, expect, it } from 'vitest'
import { router } from '../../worker/src/router.ts'
import { call, newToken } from './support.ts'

const SHOP = 'https://shop.example'
const CRM = 'https://crm.example'
const EVIL = 'https://evil.example'
const vars = { ALLOWED_ORIGINS: SHOP, AGENT_ALLOWED_ORIGINS: CRM } as Partial<Env>

// [method, pattern, handlers, path] as itty-router keeps them.
const routes = router.routes
  .map(([method, , , path]) => [method, path] as [string, string])
  .filter(([method, path]) => method !== 'ALL' && path.startsWith('/api/v1/'))

/** The agents' routes: sign-in, omnichannel/*, chat.*, and those Rocket.Chat keeps under livechat/. */
const AGENTS_UNDER_LIVECHAT = /^\/api\/v1\/livechat\/(visitors\.|inquiries\.|agent\.status$|rooms$|room\.closeByUser$)/
const forAgents = (path: string) => !path.startsWith('/api/v1/livechat/') || AGENTS_UNDER_LIVECHAT.test(path)

describe('origin policy per route, with and without trailing slashes', () => {
  it('covers every API route the router has', () => {
    expect(routes.length).toBeGreaterThanOrEqual(15)
    expect(routes.some(([, path]) => path === '/api/v1/login')).toBe(true)
  })

  for (const [method, path] of routes) {
    it(`${method} ${path}`, async () => {
      const own = forAgents(path) ? CRM : SHOP
      const other = forAgents(path) ? SHOP : CRM
      for (const suffix of ['', '/', '//']) {
        const url = path.replace(':token', newToken()) + suffix
        for (const origin of [EVIL, other]) {
          const response = await call(url, { method, headers: { origin, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined }, vars)
          expect(response.status, `${method} ${url} from ${origin}`).toBe(403)
          expect((await response.json<{ errorType: string }>()).errorType).toBe('error-origin-not-allowed')
        }
        const preflight = await call(url, { method: 'OPTIONS', headers: { origin: own, 'access-control-request-method': method } }, vars)
        expect(preflight.status, `OPTIONS ${url}`).toBe(204)
        expect(preflight.headers.get('access-control-allow-origin')).toBe(own)
      }
    })
  }
})
