// The bare baselines for the chat bench, in one Durable Object with the Hibernation API: a
// WebSocket echo (a frame's round trip through the Worker and one object), and a relay (an HTTP
// POST whose body the object sends to every socket it holds: the least a chat message's trip from
// one client's request to another client's socket can cost). Nothing else.
import { DurableObject } from 'cloudflare:workers'

export class Echo extends DurableObject {
  async fetch(request: Request): Promise<Response> {
    if (request.method === 'POST') {
      const body = await request.text()
      for (const ws of this.ctx.getWebSockets()) ws.send(body)
      return new Response('{}')
    }
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server)
    return new Response(null, { status: 101, webSocket: client })
  }

  webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    ws.send(message)
  }
}

export default {
  fetch(request: Request, env: { ECHO: DurableObjectNamespace<Echo> }): Response | Promise<Response> {
    const { pathname } = new URL(request.url)
    if (pathname === '/api/info') return new Response('{}')
    // /relay/<name> and /websocket/<name>: one object per name, so runs do not share sockets.
    return env.ECHO.getByName(pathname.split('/')[2] ?? 'echo').fetch(request)
  },
}
