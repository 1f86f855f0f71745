// DDP frames: reading what a client sends (one JSON object per text frame, no SockJS) and building
// what the server sends back. Reading follows Meteor's server: its error reasons, its checks.
import type { MeteorError } from './meteor-errors.ts'

/** Longest subscription or method id a client may choose: ids live in the socket's attachment,
 * which must hold every subscription of a socket (Meteor's are 17 characters, ddp-client's ~20). */
export const MAX_ID_LENGTH = 64

export type ClientFrame =
  | { msg: 'connect'; version: unknown; support: unknown }
  | { msg: 'ping'; id?: unknown }
  | { msg: 'pong' }
  | { msg: 'sub'; id: string; name: string; params: unknown[] }
  | { msg: 'unsub'; id: string }
  | { msg: 'method'; id: string; method: string; params: unknown[] }

/** What the server answers a frame it cannot take: Meteor's `{"msg":"error"}`, nothing else. */
export interface FrameError {
  msg: 'error'
  reason: string
  offendingMessage?: unknown
}

const error = (reason: string, offendingMessage?: unknown): FrameError =>
  offendingMessage === undefined ? { msg: 'error', reason } : { msg: 'error', reason, offendingMessage }

const isId = (value: unknown): value is string => typeof value === 'string' && value.length <= MAX_ID_LENGTH
const isParams = (value: unknown): value is unknown[] | undefined => value === undefined || Array.isArray(value)

/** One text frame as a client frame, or the error Meteor would send for it. */
export function parseFrame(text: string): ClientFrame | FrameError {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return error('Parse error')
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return error('Bad request', data)
  const frame = data as Record<string, unknown>
  switch (frame.msg) {
    case 'connect':
      return { msg: 'connect', version: frame.version, support: frame.support }
    case 'ping':
      return 'id' in frame ? { msg: 'ping', id: frame.id } : { msg: 'ping' }
    case 'pong':
      return { msg: 'pong' }
    case 'sub':
      if (!isId(frame.id) || typeof frame.name !== 'string' || !isParams(frame.params)) return error('Malformed subscription', frame)
      return { msg: 'sub', id: frame.id, name: frame.name, params: frame.params ?? [] }
    case 'unsub':
      if (typeof frame.id !== 'string') return error('Bad request', frame)
      return { msg: 'unsub', id: frame.id }
    case 'method':
      if (!isId(frame.id) || typeof frame.method !== 'string' || !isParams(frame.params)) return error('Malformed method invocation', frame)
      return { msg: 'method', id: frame.id, method: frame.method, params: frame.params ?? [] }
    default:
      return error('Bad request', frame)
  }
}

export const isFrameError = (frame: ClientFrame | FrameError): frame is FrameError => frame.msg === 'error'

/** DDP versions this server speaks (the client proposes `version`, lists `support`). */
const VERSIONS = ['1', 'pre2', 'pre1']

/** Whether a `connect` proposes a version this server speaks. */
export const speaksVersion = (version: unknown): boolean => typeof version === 'string' && VERSIONS.includes(version)

// The server's frames.
export const frameError = error
export const connected = (session: string) => ({ msg: 'connected', session })
/** Meteor's answer to a version it does not speak: the client may retry with this one. */
export const failed = () => ({ msg: 'failed', version: VERSIONS[0] })
export const pong = (frame: { id?: unknown }) => ('id' in frame ? { msg: 'pong', id: frame.id } : { msg: 'pong' })
/** One id per `ready`: older clients read only the first. */
export const ready = (id: string) => ({ msg: 'ready', subs: [id] })
export const nosub = (id: string, error?: MeteorError) => (error ? { msg: 'nosub', id, error } : { msg: 'nosub', id })
export const result = (id: string, value?: unknown) => (value === undefined ? { msg: 'result', id } : { msg: 'result', id, result: value })
export const methodError = (id: string, error: MeteorError) => ({ msg: 'result', id, error })
/** A stream event; Rocket.Chat's clients match on collection and eventName only (`id` is fixed). */
export const changed = (collection: string, eventName: string, args: unknown[]) =>
  ({ msg: 'changed', collection, id: 'id', fields: { eventName, args } })
