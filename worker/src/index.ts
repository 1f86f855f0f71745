// Router assembly: routes, CORS per route group, and one place where errors become responses.
import { Router, type IRequest } from 'itty-router'
import { agentOrigins, widgetOrigins } from './config.ts'
import { preflight, withCors, type CorsPolicy } from './cors.ts'
import { failure, notFound, ok } from './responses.ts'
import { getLivechatConfig } from './routes/config.ts'
import { getContact } from './routes/contact.ts'
import { deleteVisitor, getVisitor, postVisitor } from './routes/visitor.ts'

export { VisitorRegistry } from './visitor-registry.ts'

/** The widget's endpoints are for browsers on site owners' pages; the agents' are not, unless configured. */
function corsPolicy(request: Request, env: Env): CorsPolicy | undefined {
  const { pathname } = new URL(request.url)
  if (pathname.startsWith('/api/v1/livechat/'))
    return { origins: widgetOrigins(env), methods: 'GET, POST, DELETE', headers: 'Content-Type' }
  if (pathname.startsWith('/api/v1/omnichannel/'))
    return { origins: agentOrigins(env), methods: 'GET', headers: 'X-User-Id, X-Auth-Token' }
}

const router = Router<IRequest, [Env, ExecutionContext]>({
  before: [
    (request, env) => {
      const policy = request.method === 'OPTIONS' ? corsPolicy(request, env) : undefined
      if (policy) return preflight(policy, request)
    },
  ],
  catch: failure,
  finally: [
    (response: Response, request, env) => {
      // Preflights were answered in full by `before`.
      const policy = request.method === 'OPTIONS' ? undefined : corsPolicy(request, env)
      return policy ? withCors(policy, request, response) : response
    },
  ],
})

router
  .get('/api/info', () => ok({ version: '0.1.0' }))
  .get('/api/v1/livechat/config', getLivechatConfig)
  .post('/api/v1/livechat/visitor', postVisitor)
  .get('/api/v1/livechat/visitor/:token', getVisitor)
  .delete('/api/v1/livechat/visitor/:token', deleteVisitor)
  .get('/api/v1/omnichannel/contact', getContact)
  .all('*', notFound)

export default { fetch: router.fetch } satisfies ExportedHandler<Env>
