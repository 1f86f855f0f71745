// The outbox when a send's outcome is unknown, when a send breaks, after a long outage, and when
// alarm updates race: KV always ends on the registry's newest record.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { keys } from '../../worker/src/keys.ts'
import type { Visitor } from '../../shared/visitor.ts'
import { BATCH, RESWEEP_MS } from '../../worker/src/visitors/kv-replica.ts'
import type { VisitorRegistry } from '../../worker/src/visitors/visitor-registry.ts'
import { countingKv, env, fetchVisitor, kvWith, newToken, postVisitor, register, registry, registrySettled, replicateTo } from './support.ts'

let restore: (() => Promise<unknown>) | undefined
afterEach(async () => {
  await restore?.()
  restore = undefined
  vi.restoreAllMocks()
})

const kvCopy = (id: string) => env.CONTACTS.get<Visitor>(keys.visitor(id), 'json')
/** The alarm, once the acknowledgments recorded after answers are in (they set re-sends' times). */
const alarmAt = async () => {
  await registrySettled()
  return runInDurableObject(registry(), (_i, state) => state.storage.getAlarm())
}
/** A fresh outbox: no rows, no alarm. */
const clearOutbox = () => runInDurableObject(registry(), async (_i, state) => {
  await state.storage.deleteAlarm()
  state.storage.sql.exec('DELETE FROM replication')
})
/** The object dies (requests in it fail with it); the next request makes a new instance. */
const restart = () => runInDurableObject(registry(), (_i, state) => state.abort('restart')).catch(() => {})
/** Runs the alarm as if everything waiting were due now (the window has passed). */
const afterWindow = async () => {
  await registrySettled()
  await runInDurableObject(registry(), (_i, state) => { state.storage.sql.exec('UPDATE replication SET due = 0') })
  await runDurableObjectAlarm(registry())
}

/**
 * KV's unknown outcome: while `late.on`, a put is not applied but kept, and `outcome()` says what
 * the registry hears (by default a failure); `late.land()` applies the kept values later, as KV
 * may apply a write that failed or timed out.
 */
async function latePuts(outcome = (): Promise<never> => Promise.reject(new Error('KV PUT failed: timed out'))) {
  const kept: [string, string][] = []
  const late = {
    on: true,
    land: () => Promise.all(kept.splice(0).map(([key, value]) => env.CONTACTS.put(key, value))),
    kept,
  }
  ;({ restore } = await replicateTo(kvWith({
    put: (key: string, value: string) => {
      if (!late.on) return env.CONTACTS.put(key, value)
      kept.push([key, value])
      return outcome()
    },
  })))
  vi.spyOn(console, 'error').mockImplementation(() => {})
  return late
}

/** The re-send is at least RESWEEP_MS after `since`, not earlier; then it puts the newest record. */
async function expectResendAfterWindow(since: number, visitor: Visitor) {
  // An alarm that fires early (the failed put's retry) sends nothing that is not due.
  await runDurableObjectAlarm(registry())
  // (a second of slack: the registry's clock and the test's advance separately)
  expect(await alarmAt()).toBeGreaterThan(since + RESWEEP_MS - 1000)
  await afterWindow()
  expect(await kvCopy(visitor._id)).toEqual(await fetchVisitor(visitor.token))
}

describe('a send whose outcome is unknown is sent again after KV\'s cache window', () => {
  it('a put that failed, then landed after a newer write: KV ends on the newest record', async () => {
    const token = newToken()
    await register({ token, name: 'First' })
    const late = await latePuts()
    await register({ token, name: 'Old' })
    late.on = false
    const since = Date.now()
    const newest = await register({ token, name: 'New' })
    expect(await kvCopy(newest._id)).toEqual(newest)
    await late.land()
    expect((await kvCopy(newest._id))?.name).toBe('Old')
    await expectResendAfterWindow(since, newest)
  })

  it('the re-send still owed survives a newer write that comes after the retry succeeded', async () => {
    const token = newToken()
    const late = await latePuts()
    await register({ token, name: 'Old' })
    late.on = false
    await afterWindow() // the retry, which succeeds; the re-send is owed 70 s later
    const since = Date.now()
    const newest = await register({ token, name: 'New' })
    await late.land()
    await expectResendAfterWindow(since, newest)
  })

  it('a put that failed while a newer write waited behind it', async () => {
    const token = newToken()
    await register({ token, name: 'First' })
    await registrySettled() // else both registrations below queue behind First's acknowledgment, and go as one put
    // The first put answers 100 ms late, a failure, so the other registration queues behind it.
    const late = await latePuts(async () => {
      late.on = false
      await new Promise((resolve) => setTimeout(resolve, 100))
      throw new Error('KV PUT failed: timed out')
    })
    const since = Date.now()
    const [visitor] = await Promise.all(['Old', 'New'].map((name) => register({ token, name })))
    await late.land()
    expect(await kvCopy(visitor._id)).not.toEqual(await fetchVisitor(token))
    await expectResendAfterWindow(since, visitor)
  })

  it('a restart during a send: the new instance sends the newest record at once, and again after the window', async () => {
    await clearOutbox()
    const token = newToken()
    await register({ token, name: 'First' })
    await registrySettled()
    // A put that never answers; meanwhile a newer registration queues behind it.
    const late = await latePuts(() => new Promise<never>(() => {}))
    const answers = [postVisitor({ visitor: { token, name: 'Old' } }), postVisitor({ visitor: { token, name: 'New' } })]
    // Both are recorded: the older value in flight, the newer one waiting behind it.
    await vi.waitFor(async () => {
      expect(late.kept).toHaveLength(1)
      const rows = await runInDurableObject(registry(), (_i, state) => state.storage.sql.exec('SELECT value FROM replication').toArray())
      expect(rows).toHaveLength(1)
      expect(rows[0].value).not.toBe(late.kept[0][1])
    })
    await restart()
    await Promise.allSettled(answers)
    const newest = (await fetchVisitor(token))!
    expect(await alarmAt()).not.toBeNull()
    const since = Date.now()
    await runDurableObjectAlarm(registry())
    expect(await kvCopy(newest._id)).toEqual(newest)
    // The dead instance's put is applied after all.
    await late.land()
    expect(await kvCopy(newest._id)).not.toEqual(newest)
    await expectResendAfterWindow(since, newest)
  })

  it('a restart during a key\'s only send: a later newer record is sent again after the window', async () => {
    await clearOutbox()
    const token = newToken()
    await register({ token, name: 'First' })
    await registrySettled()
    const late = await latePuts(() => new Promise<never>(() => {}))
    const answer = postVisitor({ visitor: { token, name: 'Old' } })
    await vi.waitFor(() => expect(late.kept).toHaveLength(1))
    await restart()
    await Promise.allSettled([answer])
    // The new instance sends what it found (Old), then a newer registration goes out at once.
    await runDurableObjectAlarm(registry())
    const since = Date.now()
    const newest = await register({ token, name: 'New' })
    expect(await kvCopy(newest._id)).toEqual(newest)
    // The dead instance's put of Old lands after all.
    await late.land()
    expect(await kvCopy(newest._id)).not.toEqual(newest)
    await expectResendAfterWindow(since, newest)
  })

  it('a re-send that wakes a restarted object goes once, not again after every restart', async () => {
    const token = newToken()
    const late = await latePuts()
    await register({ token, name: 'Old' })
    late.on = false
    const visitor = await register({ token, name: 'New' })
    // Acknowledged (after the answer: an instance that died before that would send it once more).
    await registrySettled()
    // The window passes while the object is evicted; its alarm makes a new instance.
    await runInDurableObject(registry(), (_i, state) => { state.storage.sql.exec('UPDATE replication SET due = 0') })
    await restart()
    await runDurableObjectAlarm(registry())
    expect(await kvCopy(visitor._id)).toEqual(visitor)
    const left = await runInDurableObject(registry(), (_i, state) =>
      state.storage.sql.exec('SELECT * FROM replication WHERE key = ?', keys.visitor(visitor._id)).toArray())
    expect(left).toEqual([])
  })
})

describe('a send that breaks', () => {
  it('on an error whose String() throws, answers 200 and the next send of that key goes through', async () => {
    const token = newToken()
    await register({ token, name: 'First' })
    const late = await latePuts(() => Promise.reject(Object.create(null)))
    expect((await postVisitor({ visitor: { token, name: 'Second' } })).status).toBe(200)
    expect(await fetchVisitor(token)).toMatchObject({ name: 'Second' })
    late.on = false
    const newest = await register({ token, name: 'Third' })
    expect(await kvCopy(newest._id)).toEqual(newest)
  })

  it('on an SQL error after the put, answers 200 and the next send of that key goes through', async () => {
    const token = newToken()
    await register({ token, name: 'First' })
    // The outbox table is away when the send records its outcome.
    await runInDurableObject(registry(), (instance: VisitorRegistry, state) => {
      const kv = instance.replica.kv
      instance.replica.kv = kvWith({
        put: async (key: string, value: string) => {
          await kv.put(key, value)
          state.storage.sql.exec('ALTER TABLE replication RENAME TO replication_away')
        },
      })
    })
    restore = () => runInDurableObject(registry(), (instance: VisitorRegistry, state) => {
      instance.replica.kv = env.CONTACTS
      const away = state.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'replication_away'").toArray()
      if (away.length > 0) state.storage.sql.exec('ALTER TABLE replication_away RENAME TO replication')
    })
    vi.spyOn(console, 'error').mockImplementation(() => {})
    expect((await postVisitor({ visitor: { token, name: 'Second' } })).status).toBe(200)
    expect(await fetchVisitor(token)).toMatchObject({ name: 'Second' })
    await registrySettled() // the acknowledgment, after the answer, meets the missing table
    await restore()
    const newest = await register({ token, name: 'Third' })
    expect(await kvCopy(newest._id)).toEqual(newest)
  })
})

describe('after a long KV outage', () => {
  it(`the alarm sends what waits in runs of at most ${BATCH} keys, each setting the next alarm at once`, async () => {
    await clearOutbox()
    const waiting = 5 * BATCH + 50
    // What an outage leaves: every key failed many times, each owes a re-send after the window.
    await runInDurableObject(registry(), (_i, state) => {
      for (let i = 0; i < waiting; i++) {
        state.storage.sql.exec('INSERT INTO replication (key, value, version, due, attempts, sweeps) VALUES (?, ?, 1, 0, 9, 1)', `visitor:outage-${i}`, `{"n":${i}}`)
      }
      return state.storage.setAlarm(Date.now())
    })
    const { counts, env: { CONTACTS } } = countingKv()
    ;({ restore } = await replicateTo(CONTACTS!))
    const since = Date.now()
    const runs: number[] = []
    for (let at = await alarmAt(); at !== null && at <= Date.now() && runs.length < 10; at = await alarmAt()) {
      await runDurableObjectAlarm(registry())
      runs.push(counts.put + counts.delete)
      counts.put = counts.delete = 0
    }
    expect(runs).toEqual([BATCH, BATCH, BATCH, BATCH, BATCH, 50])
    expect(await env.CONTACTS.get(`visitor:outage-${waiting - 1}`)).toBe(`{"n":${waiting - 1}}`)
    // What is left is the re-sends, after the window.
    expect(await alarmAt()).toBeGreaterThan(since + RESWEEP_MS - 1000)
    await clearOutbox()
  })
})

describe('the alarm', () => {
  for (const dues of [[10_000, 60_000], [60_000, 10_000]]) {
    it(`concurrent updates keep the earliest due (${dues.join(' ms, then ')} ms)`, async () => {
      await clearOutbox()
      const set = await runInDurableObject(registry(), async (instance: VisitorRegistry, state) => {
        const now = Date.now()
        await Promise.all(dues.map((due) => instance.replica['alarmBy'](now + due)))
        return (await state.storage.getAlarm())! - now
      })
      expect(set).toBe(10_000)
      await clearOutbox()
    })
  }
})
