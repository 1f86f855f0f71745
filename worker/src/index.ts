import { DurableObject } from 'cloudflare:workers'
export class VisitorRegistry extends DurableObject {}
export default { async fetch(req: Request, env: any) { await env.CONTACTS.put('x','1'); return new Response(await env.CONTACTS.get('x')) } }
