// A room's `messages` table: each message once, by its _id, with the columns that page it (ts) and
// sync it (updated). Synchronous SQL, so the room's check-then-insert is one step.
import type { Message } from '../../../shared/chat.ts'

/** Rocket.Chat's system user's _id, the author of navigation history. */
export const NAVIGATOR = 'rocket.cat'

interface Row extends Record<string, SqlStorageValue> {
  record: string
  sender: string
}

export class MessageTable {
  private readonly sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.sql = sql
  }

  /** Created with the room, never before: probing an unknown room id stores nothing. Run again at
   * each start of an existing room, so rooms made before an index was added get it too. */
  create(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS messages (
        id TEXT PRIMARY KEY,
        ts INTEGER NOT NULL UNIQUE,
        updated INTEGER NOT NULL,
        sender TEXT NOT NULL,
        record TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS messages_updated ON messages (updated);
      -- Navigation history only (at most NAVIGATION_MAX rows): other messages never touch it.
      CREATE INDEX IF NOT EXISTS messages_navigation ON messages (ts) WHERE sender = '${NAVIGATOR}';
      -- Made for a while by every room, it cost each message a fourth index to write.
      DROP INDEX IF EXISTS messages_sender;
    `)
  }

  /** How many messages, the newest one's time and the latest change (ms, 0 when none). */
  totals(): { count: number; lastTs: number; lastUpdated: number } {
    // Apart, so that each reads an index (one aggregate of several would read the whole table).
    const row = this.sql.exec<{ count: number; lastTs: number | null; lastUpdated: number | null }>(`SELECT
      (SELECT COUNT(*) FROM messages) AS count, (SELECT MAX(ts) FROM messages) AS lastTs, (SELECT MAX(updated) FROM messages) AS lastUpdated`).one()
    return { count: row.count, lastTs: row.lastTs ?? 0, lastUpdated: row.lastUpdated ?? 0 }
  }

  /** The message with this _id, with who sent it. */
  get(id: string): { message: Message; sender: string } | undefined {
    const [row] = this.sql.exec<Row>('SELECT record, sender FROM messages WHERE id = ?', id).toArray()
    return row && { message: JSON.parse(row.record), sender: row.sender }
  }

  insert(message: Message): void {
    this.sql.exec('INSERT INTO messages (id, ts, updated, sender, record) VALUES (?, ?, ?, ?, ?)',
      message._id, Date.parse(message.ts), Date.parse(message._updatedAt), message.u._id, JSON.stringify(message))
  }

  /** Up to `limit` messages older than `end` (ms), newest first. */
  page(end: number, limit: number): Message[] {
    return this.sql.exec<Row>('SELECT record FROM messages WHERE ts < ? ORDER BY ts DESC LIMIT ?', end, limit)
      .toArray().map((r) => JSON.parse(r.record))
  }

  /** Up to `limit` messages changed after `since` (ms), oldest change first. */
  changedSince(since: number, limit: number): Message[] {
    return this.sql.exec<Row>('SELECT record FROM messages WHERE updated > ? ORDER BY updated, ts LIMIT ?', since, limit)
      .toArray().map((r) => JSON.parse(r.record))
  }

  /** How many navigation history messages there are, and the newest of them (by their index: the
   * sender is written into the statement, as SQLite uses a partial index only for a literal). */
  navigation(): { count: number; newest?: Message } {
    const { count, newest } = this.sql.exec<{ count: number; newest: string | null }>(
      `SELECT COUNT(*) AS count, (SELECT record FROM messages WHERE sender = '${NAVIGATOR}' ORDER BY ts DESC LIMIT 1) AS newest
       FROM messages WHERE sender = '${NAVIGATOR}'`,
    ).one()
    return { count, ...(newest !== null && { newest: JSON.parse(newest) }) }
  }

  /** The text of the first message this sender wrote ('' if none): the inquiry's `message`. Read
   * once per start, along the messages' times: they come early, and the likelihood tells SQLite so
   * (else it reads and sorts every message). */
  firstFrom(sender: string): string {
    const [row] = this.sql.exec<Row>('SELECT record FROM messages WHERE likelihood(sender = ?, 0.9) ORDER BY ts LIMIT 1', sender).toArray()
    return row ? (JSON.parse(row.record) as Message).msg : ''
  }
}
