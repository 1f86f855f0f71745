// Live chat through the Worker: a visitor with a room, messages both ways, agents.
import { expect } from 'vitest'
import type { Inquiry, Message, Room } from '../../shared/chat.ts'
import type { Visitor } from '../../shared/visitor.ts'
import { call, createAgent, newToken, register } from './support.ts'

const JSON_TYPE = { 'content-type': 'application/json' }

export const post = (path: string, body: unknown, headers: Record<string, string> = {}, overrides: Partial<Env> = {}) =>
  call(path, { method: 'POST', headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(body) }, overrides)

export const get = (path: string, headers: Record<string, string> = {}, overrides: Partial<Env> = {}) =>
  call(path, { headers }, overrides)

/** The body of a response, after checking its status. */
export async function expectStatus<T = Record<string, unknown>>(response: Response, status: number): Promise<T> {
  const body = await response.json<T>()
  expect(response.status, JSON.stringify(body)).toBe(status)
  return body
}

/** Rocket.Chat's coded error. */
export async function expectError(response: Response, code: string, status = 400) {
  const body = await expectStatus<{ success: boolean; error: string; errorType?: string }>(response, status)
  expect(body.success).toBe(false)
  expect(body.error).toMatch(new RegExp(`\\[${code}\\]$`))
}

export const openRoom = (token: string, query = '') => get(`/api/v1/livechat/room?token=${token}${query}`)

/** A registered visitor with an open room. */
export async function visitorWithRoom(fields: Record<string, unknown> = {}): Promise<{ visitor: Visitor; room: Room }> {
  const visitor = await register({ token: newToken(), name: 'Ada Visitor', ...fields })
  const { room } = await expectStatus<{ room: Room }>(await openRoom(visitor.token), 200)
  return { visitor, room }
}

export const sendVisitor = (token: string, rid: string, msg: string, extra: Record<string, unknown> = {}, overrides: Partial<Env> = {}) =>
  post('/api/v1/livechat/message', { token, rid, msg, ...extra }, {}, overrides)

export async function visitorSays(token: string, rid: string, msg: string, extra: Record<string, unknown> = {}): Promise<Message> {
  return (await expectStatus<{ message: Message }>(await sendVisitor(token, rid, msg, extra), 200)).message
}

export const history = (rid: string, token: string, query = '') => get(`/api/v1/livechat/messages.history/${rid}?token=${token}${query}`)

export const sendAgent = (headers: Record<string, string>, message: Record<string, unknown>) =>
  post('/api/v1/chat.sendMessage', { message }, headers)

export const take = (headers: Record<string, string>, inquiryId: string) =>
  post('/api/v1/livechat/inquiries.take', { inquiryId }, headers)

/** An agent that took the room. */
export async function servingAgent(rid: string, roles = ['livechat-agent']) {
  const agent = await createAgent(roles)
  const { inquiry } = await expectStatus<{ inquiry: Inquiry }>(await take(agent.headers, rid), 200)
  expect(inquiry.status).toBe('taken')
  return agent
}
