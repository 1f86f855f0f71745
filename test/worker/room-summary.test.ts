// A room's message count and time (msgs, _updatedAt) change in the room's memory only, not in its
// stored record: a restarted room derives them from its messages, and the Omnichannel index still
// gets them right, with a version it takes (never one it already had).
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { Message, Room } from '../../shared/chat.ts'
import { RoomsIndex } from '../../worker/src/chat/rooms-index.ts'
import type { Summary } from '../../worker/src/chat/room-record.ts'
import { expectStatus, history, servingAgent, visitorSays, visitorWithRoom } from './chat-support.ts'
import { env } from './support.ts'

const room = (rid: string) => env.CHAT_ROOM.getByName(rid)

/** What the index holds for the room. */
const indexed = (rid: string) =>
  runInDurableObject(env.OMNICHANNEL.getByName('global'), (_i, state) => new RoomsIndex(state.storage.sql).get(rid)) as Promise<Summary>

/** The room as its visitor reads it, from the room itself. */
async function roomView(rid: string, token: string): Promise<Room> {
  const viewed = await room(rid).view({ visitorToken: token })
  if (!('ok' in viewed)) throw new Error(`room refused: ${viewed.refused}`)
  return viewed.ok
}

/** Ends the room's instance; `loseAlarm` first deletes its alarm, as if the instance died before setting it. */
const restart = (rid: string, loseAlarm = false) =>
  runInDurableObject(room(rid), async (_i, state) => {
    // Committed before the abort, which would drop it otherwise.
    if (loseAlarm) await state.storage.deleteAlarm().then(() => state.storage.sync())
    state.abort('restart')
  }).catch(() => {})

/** The room's alarm, once its instance set it. */
async function alarmSet(rid: string): Promise<void> {
  await expect.poll(() => runInDurableObject(room(rid), (_i, state) => state.storage.getAlarm())).not.toBeNull()
}

/** A visitor's room whose first words the index already has (they are pushed at once): later
 * messages reach the index by the alarm. */
async function talkingRoom() {
  const { visitor, room: opened } = await visitorWithRoom()
  await visitorSays(visitor.token, opened._id, 'first words')
  expect((await indexed(opened._id)).room.msgs).toBe(1)
  return { token: visitor.token, rid: opened._id }
}

async function expectIndexMatches(rid: string, token: string, messages: Message[]) {
  const [summary, view] = [await indexed(rid), await roomView(rid, token)]
  expect(summary.room.msgs).toBe(messages.length)
  expect(summary.room._updatedAt).toBe(messages.at(-1)!._updatedAt)
  expect(summary.message).toBe('first words')
  expect(view).toEqual(summary.room)
}

describe('room summary across restarts', () => {
  it('a restart before the alarm ran: the new instance derives msgs and _updatedAt, and the alarm pushes them', async () => {
    const { token, rid } = await talkingRoom()
    const before = await indexed(rid)
    expect(before.room.msgs).toBe(1)
    const said = [await visitorSays(token, rid, 'second'), await visitorSays(token, rid, 'third')]
    await alarmSet(rid)
    await restart(rid)
    expect(await runDurableObjectAlarm(room(rid))).toBe(true)
    const { messages } = await expectStatus<{ messages: Message[] }>(await history(rid, token), 200)
    expect(messages.reverse().slice(1)).toEqual(said)
    await expectIndexMatches(rid, token, messages)
    expect((await indexed(rid)).version).toBeGreaterThan(before.version)
  })

  it('a restart that lost the alarm: the next instance sets it again and the index catches up', async () => {
    const { token, rid } = await talkingRoom()
    await visitorSays(token, rid, 'second')
    await alarmSet(rid)
    await restart(rid, true)
    // Any call starts the room again.
    const { messages } = await expectStatus<{ messages: Message[] }>(await history(rid, token), 200)
    expect((await indexed(rid)).room.msgs).toBe(1)
    await alarmSet(rid)
    expect(await runDurableObjectAlarm(room(rid))).toBe(true)
    await expectIndexMatches(rid, token, messages.reverse())
  })

  it('after a restart, later messages and a take still reach the index (its version keeps growing)', async () => {
    const { token, rid } = await talkingRoom()
    await visitorSays(token, rid, 'second')
    await alarmSet(rid)
    await runDurableObjectAlarm(room(rid))
    const pushed = await indexed(rid)
    expect(pushed.room.msgs).toBe(2)
    await restart(rid)
    await visitorSays(token, rid, 'after the restart')
    await alarmSet(rid)
    await runDurableObjectAlarm(room(rid))
    const { messages } = await expectStatus<{ messages: Message[] }>(await history(rid, token), 200)
    await expectIndexMatches(rid, token, messages.reverse())
    // A take writes the record: its time never goes back before the newest message's.
    await servingAgent(rid)
    await restart(rid)
    const [summary, view] = [await indexed(rid), await roomView(rid, token)]
    expect(summary.room.servedBy).toBeDefined()
    expect(summary.room.msgs).toBe(3)
    expect(Date.parse(summary.room._updatedAt)).toBeGreaterThanOrEqual(Date.parse(messages.at(-1)!._updatedAt))
    expect(view).toEqual(summary.room)
  })
})
