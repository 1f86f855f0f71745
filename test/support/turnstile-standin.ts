// A local stand-in for Cloudflare's Turnstile siteverify, which these machines cannot reach: a real
// HTTP server on 127.0.0.1 that the Worker under test calls through TURNSTILE_VERIFY_URL (workerd's
// fetch reaches it). Vitest's globalSetup for the worker project: it starts the server and hands
// its URLs to the tests (`inject('turnstile')`).
//
// It answers as siteverify does, by the token's first part (`kind:hostname:nonce`):
// - `pass`: success, solved on `hostname`, once; the same token again is `timeout-or-duplicate`
// - `expired`: `timeout-or-duplicate`; `internal`: `internal-error`; anything else: `invalid-input-response`
// - `http500`: HTTP 500; `notjson`: an HTML page; `odd`: JSON that is not siteverify's; `slow`: no answer
// Cloudflare's test secret keys answer as documented: 1x… passes any token (solved on example.com),
// 2x… fails, 3x… "already spent". Any other secret but SECRET is `invalid-input-secret`. GET /requests?response=<token> lists the
// verify calls made with that token, as received.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { TestProject } from 'vitest/node'
import type { TurnstileStandin } from './turnstile-context.ts'
import { freePort } from './wrangler-dev.ts'

const SECRET = '0x4AAAAAAAstandinSecretKey'
const TEST_SECRETS: Record<string, string> = {
  '1x0000000000000000000000000000000AA': 'pass:example.com',
  '2x0000000000000000000000000000000AA': 'invalid',
  '3x0000000000000000000000000000000AA': 'expired',
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  // Siteverify takes both encodings.
  if (req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text))
  try {
    return JSON.parse(text)
  } catch {
    return {}
  }
}

function startStandin() {
  const requests: Record<string, unknown>[] = []
  const spent = new Set<string>()
  const failure = (res: ServerResponse, code: string) => json(res, 200, { success: false, 'error-codes': [code], messages: [] })

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin')
    if (req.method === 'GET' && url.pathname === '/requests') {
      return json(res, 200, requests.filter((r) => r.response === url.searchParams.get('response')))
    }
    const body = await readBody(req)
    requests.push({ ...body, contentType: req.headers['content-type'] })
    const secret = typeof body.secret === 'string' ? body.secret : ''
    if (secret !== SECRET && !TEST_SECRETS[secret]) return failure(res, secret ? 'invalid-input-secret' : 'missing-input-secret')
    const sent = typeof body.response === 'string' ? body.response : ''
    if (!sent) return failure(res, 'missing-input-response')
    const token = TEST_SECRETS[secret] ? `${TEST_SECRETS[secret]}:${Math.random()}` : sent
    const [kind, hostname] = token.split(':')
    switch (kind) {
      case 'pass':
        if (spent.has(token)) return failure(res, 'timeout-or-duplicate')
        spent.add(token)
        return json(res, 200, {
          success: true, 'error-codes': [], challenge_ts: new Date().toISOString(), hostname, action: '', cdata: '',
          metadata: { interactive: false },
        })
      case 'expired': return failure(res, 'timeout-or-duplicate')
      case 'internal': return failure(res, 'internal-error')
      case 'http500': return json(res, 500, { success: false, 'error-codes': ['internal-error'] })
      case 'notjson': return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Just a moment...</body></html>')
      case 'odd': return json(res, 200, { status: 'ok' })
      case 'slow': return // held open until teardown
      default: return failure(res, 'invalid-input-response')
    }
  })
  return server
}

export default async function setup(project: TestProject) {
  const server = startStandin()
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as { port: number }
  const standin: TurnstileStandin = {
    verifyUrl: `http://127.0.0.1:${port}/siteverify`,
    downUrl: `http://127.0.0.1:${await freePort()}/siteverify`,
    secret: SECRET,
  }
  project.provide('turnstile', standin)
  return async () => {
    server.closeAllConnections()
    await new Promise((ok) => server.close(ok))
  }
}
