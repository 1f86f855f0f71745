// A real local HTTP server standing in for a site owner's webhook receiver. What it answers is
// planned by the URL the Worker is given: `?plan=500,500,hang,200` answers an event's first
// delivery 500, the second 500, holds the third without answering (the Worker's timeout), and
// answers 200 from then on; each event (by its `eventId`) counts its own tries. Without a plan:
// 200. It records every request; `GET /received?path=<path>` lists those made to that path, for
// tests that run inside workerd.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Received } from './webhook-receiver-context.ts'

export type { Received }

export interface WebhookReceiver {
  url: string
  received: Received[]
  close(): Promise<void>
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: Received[] = []
  const tries = new Map<string, number>()
  const held = new Set<ServerResponse>()

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://receiver')
    if (req.method === 'GET' && url.pathname === '/received') {
      const list = received.filter((r) => r.path === url.searchParams.get('path'))
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list))
    }
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    let body: Received['body'] = {}
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      // Recorded as {}: the test sees it was not JSON.
    }
    const key = `${url.pathname} ${body.eventId}`
    const n = tries.get(key) ?? 0
    tries.set(key, n + 1)
    const plan = (url.searchParams.get('plan') ?? '200').split(',')
    const step = plan[Math.min(n, plan.length - 1)]
    const answer = step === 'hang' ? 'hang' : Number(step)
    received.push({ path: url.pathname, headers: req.headers, body, answer, at: Date.now() })
    if (answer === 'hang') return held.add(res)
    res.writeHead(answer, { 'content-type': 'text/plain' }).end(String(answer))
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end())
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((ok) => {
      for (const res of held) res.destroy()
      server.closeAllConnections()
      server.close(() => ok())
    }),
  }
}
