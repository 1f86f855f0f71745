// One alarm per object, shared by its duties: the earliest time asked for wins, whatever the order
// or interleaving of the requests (KV copies, the event outbox, room summaries, erasures).
import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { alarmBy } from '../../worker/src/alarm-by.ts'
import { randomId } from '../../shared/ids.ts'

const inFreshObject = (run: (storage: DurableObjectStorage) => Promise<void>) =>
  runInDurableObject(env.CHAT_ROOM.getByName(`alarm-${randomId()}`), (_instance, state) => run(state.storage))

describe('alarmBy', () => {
  it('never moves an alarm later, moves it earlier, and never into the past', async () => {
    await inFreshObject(async (storage) => {
      const now = Date.now()
      await alarmBy(storage, now + 10_000)
      await alarmBy(storage, now + 20_000)
      expect(await storage.getAlarm()).toBe(now + 10_000)
      await alarmBy(storage, now + 1_000)
      expect(await storage.getAlarm()).toBe(now + 1_000)
      await alarmBy(storage, now - 5_000)
      expect(await storage.getAlarm()).toBeGreaterThanOrEqual(now)
      await storage.deleteAlarm()
    })
  })

  it('concurrent requests leave the earliest, in any order', async () => {
    await inFreshObject(async (storage) => {
      const now = Date.now()
      await Promise.all([30_000, 5_000, 20_000, 15_000].map((ms) => alarmBy(storage, now + ms)))
      expect(await storage.getAlarm()).toBe(now + 5_000)
      await storage.deleteAlarm()
    })
  })
})
