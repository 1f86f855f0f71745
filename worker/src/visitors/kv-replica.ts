// Copies the registry's visitors into KV, where agents read them at the edge. A transactional
// outbox: the registry records the wanted value of a key in the same synchronous SQL step as the
// change itself, then sends it. Writes to one key are sent one after another, each carrying the
// newest wanted value, so KV never ends on an older one; a failed send stays in the outbox and an
// alarm retries it, so a half-done write is repaired instead of frozen in. A send whose outcome is
// unknown (it failed or timed out, or the instance died during it) may still be applied later, over
// a newer copy: the key's newest value is sent once more after KV's cache window.
import { afterAnswer } from '../after-answer.ts'
import { alarmBy } from '../alarm-by.ts'

/** After a failure: 1 s (KV allows one write per second to a key), doubling up to 5 minutes. */
const backoff = (attempts: number) => Math.min(1000 * 2 ** attempts, 300_000)

/** How long after a send of unknown outcome (and after an erasure) the key is sent once more:
 * KV may still apply that send until then. */
export const RESWEEP_MS = 70_000

/** Keys one alarm run sends, each with one KV operation (an invocation may make 1,000); the rest
 * go in the next run, at once. */
export const BATCH = 200

interface Pending {
  value: string | null
  version: number
  attempts: number
  sweeps: number
}

/** A send that broke (an SQL error) is logged, and tried again after the first backoff. */
function broke(key: string, error: unknown): number {
  console.error(`KV send of ${key} broke; retrying in ${backoff(0)} ms:`, errorText(error))
  return Date.now() + backoff(0)
}

/** An error as text for the log; String() itself throws for some values (Object.create(null)). */
function errorText(error: unknown): string {
  try {
    return String(error)
  } catch {
    return 'an error that has no text'
  }
}

export class KvReplica {
  /** Where the copies go; tests swap in a namespace that fails or lags. */
  kv: KVNamespace
  private readonly storage: DurableObjectStorage
  /** What a send's acknowledgment waits for (tests hold it back). */
  afterAnswer = afterAnswer
  /** The send in progress (or queued) for each key: the next one waits for it, not for the
   * recording of its acknowledgment, so one key's sends follow each other closely. */
  private readonly chains = new Map<string, Promise<unknown>>()
  /** Acknowledgments still to record. */
  private readonly acknowledging = new Set<Promise<void>>()
  /** The version of each key's row that KV took, until that is recorded: a send queued behind
   * it has nothing new to send unless a newer wish came. */
  private readonly sent = new Map<string, number>()

  constructor(storage: DurableObjectStorage, kv: KVNamespace) {
    this.storage = storage
    this.kv = kv
    // `unsent`: a send of the row's value may have begun and not yet been acknowledged (set with
    // the wish itself, so the normal path spends no statement on it); see resume().
    storage.sql.exec(`CREATE TABLE IF NOT EXISTS replication (
      key TEXT PRIMARY KEY, value TEXT, version INTEGER NOT NULL, due INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0, sweeps INTEGER NOT NULL DEFAULT 0, unsent INTEGER NOT NULL DEFAULT 1)`)
    const columns = storage.sql.exec<{ name: string }>('PRAGMA table_info(replication)').toArray()
    if (!columns.some((c) => c.name === 'unsent')) storage.sql.exec('ALTER TABLE replication ADD COLUMN unsent INTEGER NOT NULL DEFAULT 1')
  }

  /**
   * Records that `key` must become `value` (null: be deleted), replacing any older wish for it.
   * Synchronous, so it commits with the caller's own SQL. `resweep`: send again RESWEEP_MS later.
   * A re-send owed for an older value (a row due later: a retry or a re-send waits) is kept, since
   * that value may still land.
   */
  want(key: string, value: string | null, resweep = false): void {
    this.storage.sql.exec(
      `INSERT INTO replication (key, value, version, due, sweeps)
       VALUES (?1, ?2, 1, ?3, ?4)
       ON CONFLICT(key) DO UPDATE SET value = ?2, version = version + 1, due = ?3, attempts = 0, unsent = 1,
         sweeps = MAX(sweeps, ?4, due > ?3)`,
      key, value, Date.now(), resweep ? 1 : 0)
  }

  /**
   * Sends what is due for these keys; resolves once KV acknowledged each (or the failure waits for
   * the alarm). Never throws. Recording the acknowledgment (the row deleted, or kept for its
   * re-send) follows after the caller's answer (afterAnswer): KV has the value by then, and should
   * the instance die first, the row is simply sent again at the next start (resume). `settled()`
   * waits for it. `beforeAcknowledging`: the alarm, which answers no one, records it at once.
   */
  async flush(keys: string[], beforeAcknowledging = this.afterAnswer): Promise<void> {
    const later = (await Promise.all(keys.map((key) => this.send(key, beforeAcknowledging)))).filter((due) => due !== null)
    if (later.length > 0) await this.alarmBy(Math.min(...later))
  }

  /** Resolves once every send begun so far is done, its acknowledgment recorded. */
  async settled(): Promise<void> {
    while (this.chains.size > 0 || this.acknowledging.size > 0) await Promise.all([...this.chains.values(), ...this.acknowledging])
  }

  /** The alarm's work: what is due, BATCH keys at a time; then the alarm for whatever waits (it
   * fired, so none is set). */
  async flushDue(): Promise<void> {
    const due = this.storage.sql.exec<{ key: string }>('SELECT key FROM replication WHERE due <= ? LIMIT ?', Date.now(), BATCH + 1).toArray()
    await this.flush(due.slice(0, BATCH).map((r) => r.key), async () => {})
    await this.settled()
    if (due.length > BATCH) return this.alarmBy(Date.now())
    const { next } = this.storage.sql.exec<{ next: number | null }>('SELECT MIN(due) AS next FROM replication WHERE due > ?', Date.now()).one()
    if (next !== null) await this.alarmBy(next)
  }

  /**
   * Queues a send of `key` behind any in progress; resolves, once KV answered, to when it must be
   * tried again, if ever. Never rejects, so a send that broke (an SQL error) holds up neither the
   * key's later sends nor the request: its row stays, and the alarm tries it again.
   */
  private send(key: string, beforeAcknowledging: () => Promise<void>): Promise<number | null> {
    const put = (this.chains.get(key) ?? Promise.resolve()).then(() => this.put(key)).catch((error: unknown) => broke(key, error))
    this.chains.set(key, put)
    void put.then(() => { if (this.chains.get(key) === put) this.chains.delete(key) })
    const acknowledged = put
      .then(async (sent) => {
        if (typeof sent !== 'object' || sent === null) return
        try {
          await beforeAcknowledging()
          const resweep = this.acknowledge(key, sent)
          if (resweep !== null) await this.alarmBy(resweep)
        } finally {
          // Recorded, or broke and left for the alarm: either way the row is sent again if due.
          if (this.sent.get(key) === sent.version) this.sent.delete(key)
        }
      })
      .catch((error: unknown) => this.alarmBy(broke(key, error)))
      .catch((error: unknown) => console.error(`KV send of ${key}: no alarm set:`, errorText(error)))
    this.acknowledging.add(acknowledged)
    void acknowledged.then(() => this.acknowledging.delete(acknowledged))
    return put.then((sent) => (typeof sent === 'number' ? sent : null))
  }

  /** Sends the key's newest wish if due and not sent already: the row KV acknowledged, when to try
   * again after a failure, or null (nothing to send). */
  private async put(key: string): Promise<Pending | number | null> {
    const sql = this.storage.sql
    const [row] = sql.exec<Pending & Record<string, SqlStorageValue>>(
      'SELECT value, version, attempts, sweeps FROM replication WHERE key = ? AND due <= ?', key, Date.now()).toArray()
    if (!row || row.version === this.sent.get(key)) return null
    try {
      if (row.value === null) await this.kv.delete(key)
      else await this.kv.put(key, row.value)
    } catch (error) {
      const retry = Date.now() + backoff(row.attempts)
      sql.exec('UPDATE replication SET attempts = attempts + 1, due = ? WHERE key = ? AND version = ?', retry, key, row.version)
      // It may land yet, even over a newer wish recorded meanwhile: whichever is newest then goes
      // once more after the window.
      sql.exec('UPDATE replication SET sweeps = 1 WHERE key = ?', key)
      console.error(`KV write of ${key} failed; retrying in ${backoff(row.attempts)} ms:`, errorText(error))
      return retry
    }
    this.sent.set(key, row.version)
    return row
  }

  /** Records KV's acknowledgment of the row's send; returns when the re-send owed is due, if any. */
  private acknowledge(key: string, row: Pending): number | null {
    const sql = this.storage.sql
    // A newer wish for the key (a new version) stays for its own send.
    if (row.sweeps === 0) {
      sql.exec('DELETE FROM replication WHERE key = ? AND version = ?', key, row.version)
      return null
    }
    // Only the re-send waits now, and it is no send in flight (see resume).
    const resweep = Date.now() + RESWEEP_MS
    sql.exec('UPDATE replication SET sweeps = sweeps - 1, attempts = 0, unsent = 0, due = ? WHERE key = ? AND version = ?', resweep, key, row.version)
    return resweep
  }

  /**
   * After a restart: whatever a previous instance left unsent goes out from the alarm at once. A row
   * whose send was never acknowledged may have had a value in flight when that instance died, which
   * KV may still apply over a newer one: it goes once more after the window. (Not a row that only
   * waits for its re-send: that would be owed again after every restart.)
   */
  async resume(): Promise<void> {
    this.storage.sql.exec('UPDATE replication SET sweeps = 1 WHERE unsent = 1')
    const { due } = this.storage.sql.exec<{ due: number | null }>('SELECT MIN(due) AS due FROM replication').one()
    if (due !== null) await this.alarmBy(due)
  }

  private alarmBy(due: number): Promise<void> {
    return alarmBy(this.storage, due)
  }
}
