// The console's live contacts: `stream-livechat-contacts`/`new`, published by the Omnichannel
// object's publishNewContact (the notifications consumer calls it for each new contact), read by
// signed-in agents with view-l-room only, the contact as agents' REST reads show it.
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { Omnichannel } from '../../worker/src/chat/omnichannel.ts'
import type { Visitor } from '../../shared/visitor.ts'
import { createAgentWithPassword, logout, signIn } from './agent-support.ts'
import { NOT_ALLOWED, agentParams, connect, method, sub, visitorParams, type Ddp } from './ddp-support.ts'
import { getContact, newToken, register } from './support.ts'

const CONTACTS = 'stream-livechat-contacts'
const QUEUE = 'stream-livechat-inquiry-queue-observer'

const omnichannel = () => env.OMNICHANNEL.getByName('global') as DurableObjectStub<Omnichannel>

async function signedInSocket(roles = ['livechat-agent']) {
  const agent = await createAgentWithPassword({ roles })
  const session = await signIn(agent.username)
  const ddp = await connect()
  expect((await method(ddp, 'login-1', 'login', [{ resume: session.authToken }])).result?.id).toBe(agent.userId)
  return { ddp, session }
}

/** A contact registered through the widget's endpoint, as the registry holds it. */
const newContact = () => register({ token: newToken(), name: 'Ada Lovelace', email: `ada.${newToken()}@example.com` })

/** The `new` event carrying this contact (sockets of other tests may share the shard and read others). */
const contactEvent = (ddp: Ddp, id: string) =>
  ddp.until((f) => f.msg === 'changed' && f.collection === CONTACTS && f.fields.args[0]?._id === id)

/** Frames about this contact that arrived within a moment. */
const framesAbout = async (ddp: Ddp, id: string) =>
  (await ddp.quiet(300)).filter((f) => f.msg === 'changed' && JSON.stringify(f).includes(id))

describe('stream-livechat-contacts', () => {
  it('is for signed-in agents with view-l-room: not for visitors, nor for an agent with the user role only', async () => {
    const anonymous = await connect()
    expect(await sub(anonymous, 'c1', CONTACTS, visitorParams('new', newToken()))).toEqual({ msg: 'nosub', id: 'c1', error: NOT_ALLOWED })
    const { ddp: user } = await signedInSocket(['user'])
    expect(await sub(user, 'c2', CONTACTS, agentParams('new'))).toEqual({ msg: 'nosub', id: 'c2', error: NOT_ALLOWED })
    for (const roles of [['livechat-agent'], ['livechat-manager'], ['livechat-monitor'], ['admin']]) {
      const { ddp } = await signedInSocket(roles)
      expect(await sub(ddp, 'c3', CONTACTS, agentParams('new'))).toEqual({ msg: 'ready', subs: ['c3'] })
    }
  })

  it('has one event name, new', async () => {
    const { ddp } = await signedInSocket()
    for (const name of ['public', 'department/sales', 'new/x', '', 42]) {
      expect(await sub(ddp, 'c', CONTACTS, agentParams(name as string)), String(name)).toEqual({ msg: 'nosub', id: 'c', error: NOT_ALLOWED })
    }
    // Nor does the queue take `new`.
    expect(await sub(ddp, 'q', QUEUE, agentParams('new'))).toEqual({ msg: 'nosub', id: 'q', error: NOT_ALLOWED })
  })

  it('delivers a new contact, as GET omnichannel/contact shows it, to the agents reading the stream only', async () => {
    const reader = await signedInSocket()
    const other = await signedInSocket()
    expect(await sub(reader.ddp, 'c', CONTACTS, agentParams('new'))).toEqual({ msg: 'ready', subs: ['c'] })
    expect(await sub(other.ddp, 'q', QUEUE, agentParams('public'))).toEqual({ msg: 'ready', subs: ['q'] })
    const contact = await newContact()
    await omnichannel().publishNewContact(contact)
    const frame = await contactEvent(reader.ddp, contact._id)
    const { contact: shown } = await (await getContact(`?contactId=${contact._id}`, reader.session.headers)).json<{ contact: Visitor }>()
    expect(frame).toEqual({ msg: 'changed', collection: CONTACTS, id: 'id', fields: { eventName: 'new', args: [shown] } })
    expect(shown).toMatchObject({ _id: contact._id, name: 'Ada Lovelace' })
    expect(await framesAbout(other.ddp, contact._id)).toEqual([])
  })

  it('leaves the token out when CONTACT_INCLUDE_TOKEN is false, as agents’ reads do', async () => {
    const { ddp } = await signedInSocket()
    await sub(ddp, 'c', CONTACTS, agentParams('new'))
    const contact = await newContact()
    // The object's own settings, as a deployment with the variable set to false has them.
    await runInDurableObject(omnichannel(), async (instance: Omnichannel) => {
      const object = instance as unknown as { env: Env }
      const configured = object.env
      object.env = { ...configured, CONTACT_INCLUDE_TOKEN: 'false' }
      try {
        await instance.publishNewContact(contact)
      } finally {
        object.env = configured
      }
    })
    const [shown] = (await contactEvent(ddp, contact._id)).fields.args
    expect(shown).not.toHaveProperty('token')
    expect(JSON.stringify(shown)).not.toContain(contact.token)
    expect(shown).toMatchObject({ _id: contact._id, name: 'Ada Lovelace', visitorEmails: contact.visitorEmails })
  })

  it('stops with the agent’s sign-in', async () => {
    const { ddp, session } = await signedInSocket()
    expect(await sub(ddp, 'c', CONTACTS, agentParams('new'))).toEqual({ msg: 'ready', subs: ['c'] })
    expect((await logout(session.headers)).status).toBe(200)
    // The next frame re-reads the session: the subscription ends.
    ddp.send({ msg: 'method', id: 'm', method: 'noSuchMethod', params: [] })
    expect(await ddp.until((f) => f.id === 'c')).toEqual({ msg: 'nosub', id: 'c' })
    const contact = await newContact()
    await omnichannel().publishNewContact(contact)
    expect(await framesAbout(ddp, contact._id)).toEqual([])
  })

  it('stops at unsub, and reaches the socket again once it subscribes anew (its shard was dropped as idle meanwhile)', async () => {
    const first = await signedInSocket()
    await sub(first.ddp, 'c', CONTACTS, agentParams('new'))
    first.ddp.send({ msg: 'unsub', id: 'c' })
    await first.ddp.until((f) => f.msg === 'nosub' && f.id === 'c')
    const unread = await newContact()
    await omnichannel().publishNewContact(unread)
    expect(await framesAbout(first.ddp, unread._id)).toEqual([])
    await sub(first.ddp, 'c2', CONTACTS, agentParams('new'))
    const contact = await newContact()
    await omnichannel().publishNewContact(contact)
    expect((await contactEvent(first.ddp, contact._id)).fields.args[0]._id).toBe(contact._id)
  })
})
