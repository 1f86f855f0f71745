// Each webhook payload as Rocket.Chat's sendToCRM and offline-message hook shape it, built at
// delivery from the registry and the room's object; null for what was erased.
import { describe, expect, it } from 'vitest'
import { buildPayload } from '../../worker/src/notifications/payloads.ts'
import type { QueuedEvent } from '../../worker/src/notifications/events.ts'
import { call, createAgent, env, newToken, register } from './support.ts'
import { expectStatus, post, sendAgent, servingAgent, visitorSays, visitorWithRoom } from './chat-support.ts'
import { outboxOf, queued, recordingQueue, webhookOn } from './notifications-support.ts'

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
const payload = (event: QueuedEvent, overrides: Partial<Env> = {}) => buildPayload({ ...env, ...overrides }, event)

describe('LivechatNewContact', () => {
  it('is {type, eventId, sentAt, visitor}, the visitor as agents see the contact', async () => {
    const contact = await register({
      token: newToken(), name: 'Nina New', email: 'nina@example.com', phone: '+1 555 0100', department: 'sales',
      customFields: [{ key: 'address', value: 'Main St 1', overwrite: true }],
    })
    const event = queued('LivechatNewContact', 'webhook', { visitorId: contact._id })
    const before = Date.now()
    const body = await payload(event)
    expect(body).toEqual({ type: 'LivechatNewContact', eventId: event.eventId, sentAt: ISO, visitor: contact })
    expect(Date.parse(body!.sentAt)).toBeGreaterThanOrEqual(before)
    // CONTACT_INCLUDE_TOKEN=false: as agents' reads, without the token.
    const { token: _token, ...withoutToken } = contact
    expect((await payload(event, { CONTACT_INCLUDE_TOKEN: 'false' } as Partial<Env>))!.visitor).toEqual(withoutToken)
  })

  it('is null once the contact was erased', async () => {
    const contact = await register({ token: newToken(), name: 'Gone Soon' })
    await call(`/api/v1/livechat/visitor/${contact.token}`, { method: 'DELETE' })
    expect(await payload(queued('LivechatNewContact', 'webhook', { visitorId: contact._id }))).toBeNull()
  })
})

describe('the session payloads', () => {
  it('carry the room, its visitor, its agent and its messages, with the fields of each type', async () => {
    const { visitor, room } = await visitorWithRoom({ email: 'sam@example.com', phone: '+1 555 0101', department: 'support' })
    const refs = { rid: room._id, visitorId: visitor._id }
    const hello = await visitorSays(visitor.token, room._id, 'Hello?')

    const start = await payload(queued('LivechatSessionStart', 'webhook', refs))
    const rcVisitor = {
      _id: visitor._id, token: visitor.token, name: 'Ada Visitor', username: visitor.username, department: 'support',
      email: [{ address: 'sam@example.com' }], phone: [{ phoneNumber: '+1 555 0101' }],
    }
    const visitorMessage = { _id: hello._id, username: visitor.username, msg: 'Hello?', ts: hello.ts, rid: room._id, u: hello.u, _updatedAt: hello._updatedAt }
    expect(start).toEqual({
      type: 'LivechatSessionStart', eventId: expect.any(String), sentAt: ISO,
      _id: room._id, label: 'Ada Visitor', createdAt: room.ts, lastMessageAt: hello.ts,
      visitor: rcVisitor, messages: [visitorMessage], departmentId: 'support',
    })
    expect(await payload(queued('LivechatSessionQueued', 'webhook', refs))).toMatchObject({ type: 'LivechatSessionQueued', departmentId: 'support' })

    const agent = await servingAgent(room._id)
    const taken = await payload(queued('LivechatSessionTaken', 'webhook', refs))
    const agentUser = { _id: agent.userId, username: expect.any(String) }
    expect(taken).toMatchObject({ type: 'LivechatSessionTaken', agent: agentUser, servedBy: agentUser, departmentId: 'support' })
    expect(taken).not.toHaveProperty('closedAt')

    const { message: reply } = await expectStatus<{ message: { _id: string; ts: string } }>(
      await sendAgent(agent.headers, { rid: room._id, msg: 'How can I help?' }), 200)
    const message = await payload(queued('Message', 'webhook', { ...refs, messageId: reply._id }))
    expect(message).toMatchObject({ type: 'Message', _id: room._id, lastMessageAt: reply.ts, agent: agentUser })
    expect(message!.messages).toEqual([expect.objectContaining({ _id: reply._id, msg: 'How can I help?', agentId: agent.userId })])
    expect(message).not.toHaveProperty('servedBy')

    await expectStatus(await post('/api/v1/livechat/room.close', { rid: room._id, token: visitor.token }), 200)
    const closed = await payload(queued('LivechatSession', 'webhook', refs))
    expect(closed).toMatchObject({
      type: 'LivechatSession', servedBy: agentUser, departmentId: 'support', closedAt: ISO,
      closedBy: { _id: visitor._id, username: visitor.username }, closer: 'visitor',
    })
    const messages = closed!.messages as Record<string, unknown>[]
    expect(messages.map((m) => m.msg)).toEqual(['Hello?', 'How can I help?', 'Closed by visitor'])
    expect(messages[0]).not.toHaveProperty('agentId')
    expect(messages[2]).toMatchObject({ closingMessage: true })
    // The visitor's own messages never carry its token.
    expect(JSON.stringify(messages)).not.toContain(visitor.token)
  })

  it('are null once the room (or its visitor) was erased', async () => {
    const { visitor, room } = await visitorWithRoom()
    await call(`/api/v1/livechat/visitor/${visitor.token}`, { method: 'DELETE' })
    for (const type of ['LivechatSessionStart', 'LivechatSession', 'Message'] as const) {
      expect(await payload(queued(type, 'webhook', { rid: room._id, visitorId: visitor._id }))).toBeNull()
    }
  })
})

describe('LivechatOfflineMessage', () => {
  it('is {type, eventId, sentAt, visitor: {name, email}, message, department}', async () => {
    const { queue, sent } = recordingQueue()
    const omni = env.OMNICHANNEL.getByName('global')
    const { restore } = await outboxOf(omni, { queue, settings: webhookOn('http://127.0.0.1:9/unused') })
    try {
      const response = await post('/api/v1/livechat/offline.message', { name: 'Olga Offline', email: 'olga@example.com', message: 'Call me back', department: 'sales' })
      expect(response.status).toBe(200)
    } finally {
      await restore()
    }
    const [event] = sent.filter((e) => e.type === 'LivechatOfflineMessage')
    expect(event).toMatchObject({ to: 'webhook', origin: 'https://contact.example', rid: expect.any(String), visitorId: expect.any(String) })
    expect(await payload(event)).toEqual({
      type: 'LivechatOfflineMessage', eventId: event.eventId, sentAt: ISO,
      visitor: { name: 'Olga Offline', email: 'olga@example.com' }, message: 'Call me back', department: 'sales',
    })
  })
})

it('an agent payload has the agent\'s name when the agent has one', async () => {
  const { visitor, room } = await visitorWithRoom()
  const agent = await createAgent()
  const record = JSON.parse((await env.CONTACTS.get(`agent:${agent.userId}`))!)
  await env.CONTACTS.put(`agent:${agent.userId}`, JSON.stringify({ ...record, name: 'Agnes Agent' }))
  await expectStatus(await post('/api/v1/livechat/inquiries.take', { inquiryId: room._id }, agent.headers), 200)
  const taken = await payload(queued('LivechatSessionTaken', 'webhook', { rid: room._id, visitorId: visitor._id }))
  expect(taken!.agent).toEqual({ _id: agent.userId, username: record.username, name: 'Agnes Agent' })
})
