// The registry's `visitors` table: every visitor's current record, with the columns that find it
// (token, username, phone, email, verified identifier) and those that list and search it. All
// synchronous SQL, so a caller's read-decide-write is one step nothing can interleave.
import { randomId } from '../../../shared/ids.ts'
import type { Visitor } from '../../../shared/visitor.ts'
import { usernameKey } from '../../../shared/visitor-rules.ts'

interface Row extends Record<string, SqlStorageValue> {
  id: string
  record: string
  identifier: string | null
}

/** A row as found: its id, its record, and who verified it (if anyone). */
export interface Found {
  id: string
  visitor: Visitor
  identifier: string | null
}

/** What an agent's search asks for; every criterion given must match. */
export interface Criteria {
  email?: string
  phone?: string
  /** Custom field id → a value to find inside it, case-insensitively. */
  custom?: Record<string, string>
}

// Reserved for the sequence, so a visitor who asks for `guest-1063` never collides with it.
// Tested on the username's key, so `ＧＵＥＳＴ-１` is reserved too.
const GUEST_NAME = /^guest-\d+$/

const phoneOf = (v: Visitor) => v.phone?.[0]?.phoneNumber ?? null
const emailOf = (v: Visitor) => v.visitorEmails?.[0]?.address ?? null

/** Lowercased in JavaScript, which folds every script's case; SQLite's lower() folds only ASCII. */
const searchText = (v: Visitor) => [v.name, v.username, emailOf(v), phoneOf(v)].filter(Boolean).join('\n').toLowerCase()
const customText = (v: Visitor) =>
  JSON.stringify(Object.fromEntries(Object.entries(v.livechatData ?? {}).map(([k, value]) => [k, value.toLowerCase()])))

export class VisitorTable {
  private readonly sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.sql = sql
    sql.exec(`
      -- 0.1 kept copies of visitors in claims, never updated nor erased: they go.
      DROP TABLE IF EXISTS claims;
      DROP TABLE IF EXISTS erasures;
      CREATE TABLE IF NOT EXISTS visitors (
        id TEXT PRIMARY KEY,
        token TEXT NOT NULL UNIQUE,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        phone TEXT,
        email TEXT,
        identifier TEXT,
        record TEXT NOT NULL,
        updated INTEGER NOT NULL,
        created INTEGER NOT NULL,
        search TEXT NOT NULL,
        custom TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS visitors_phone ON visitors (phone) WHERE phone IS NOT NULL;
      CREATE INDEX IF NOT EXISTS visitors_email ON visitors (email) WHERE email IS NOT NULL;
      CREATE INDEX IF NOT EXISTS visitors_identifier ON visitors (identifier) WHERE identifier IS NOT NULL;
      CREATE INDEX IF NOT EXISTS visitors_created ON visitors (created DESC, id);
      CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      -- The SHA-256 of each erased visitor's token, and nothing else about it: the agents' upsert
      -- refuses such a token rather than re-create the contact under it.
      CREATE TABLE IF NOT EXISTS erased_tokens (hash TEXT PRIMARY KEY);
    `)
    this.addUsernameKeys()
  }

  /** 0.3: usernames are unique by usernameKey (NFKC, case folded), not only by ASCII case. Rows
   * from before get their key here; two old names that fold alike keep both rows, the newer one
   * under a key no typed name can equal (it holds a control character), and no new name can take either. */
  private addUsernameKeys(): void {
    const columns = this.sql.exec<{ name: string }>('PRAGMA table_info(visitors)').toArray()
    if (columns.some((c) => c.name === 'username_key')) return
    this.sql.exec('ALTER TABLE visitors ADD COLUMN username_key TEXT')
    const rows = this.sql.exec<{ id: string; username: string }>('SELECT id, username FROM visitors ORDER BY created, id').toArray()
    const seen = new Set<string>()
    for (const { id, username } of rows) {
      const key = usernameKey(username)
      this.sql.exec('UPDATE visitors SET username_key = ? WHERE id = ?', seen.has(key) ? `${key}\u0001${id}` : key, id)
      seen.add(key)
    }
    this.sql.exec('CREATE UNIQUE INDEX visitors_username_key ON visitors (username_key)')
  }

  /** The newest visitor matching `where` (phone, email and identifier need not be unique). */
  find(where: 'id = ?' | 'token = ?' | 'identifier = ?' | 'phone = ? AND identifier IS NULL' | 'email = ? AND identifier IS NULL', value: string): Found | undefined {
    const [row] = this.sql.exec<Row>(
      `SELECT id, record, identifier FROM visitors WHERE ${where} ORDER BY updated DESC LIMIT 1`, value).toArray()
    return row && { id: row.id, visitor: JSON.parse(row.record), identifier: row.identifier }
  }

  /** A new visitor's base record: a fresh _id, and the username asked for or the next guest-N. */
  blank(token: string, username: string | undefined): Visitor {
    const ts = new Date().toISOString()
    return { _id: randomId(), username: this.username(username), token, ts, _updatedAt: ts }
  }

  /** Inserts or replaces the visitor's row; `identifier`, once set, stays unless erased. */
  save(visitor: Visitor, identifier: string | null = null): void {
    this.sql.exec(
      `INSERT INTO visitors (id, token, username, phone, email, identifier, record, updated, created, search, custom, username_key)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11)
       ON CONFLICT(id) DO UPDATE SET token = ?2, phone = ?4, email = ?5, identifier = COALESCE(?6, identifier),
         record = ?7, updated = ?8, search = ?9, custom = ?10`,
      visitor._id, visitor.token, visitor.username, phoneOf(visitor), emailOf(visitor), identifier,
      JSON.stringify(visitor), Date.now(), searchText(visitor), customText(visitor), usernameKey(visitor.username))
  }

  /** Deletes the visitor's row and remembers only the hash of its token. */
  delete(id: string, tokenHash: string): void {
    this.sql.exec('DELETE FROM visitors WHERE id = ?', id)
    this.sql.exec('INSERT OR IGNORE INTO erased_tokens VALUES (?)', tokenHash)
  }

  /** Whether a visitor holding the token with this SHA-256 was erased. */
  isBuried(tokenHash: string): boolean {
    return this.sql.exec('SELECT 1 FROM erased_tokens WHERE hash = ?', tokenHash).toArray().length > 0
  }

  /** The newest visitor matching every criterion, or null. */
  search({ email, phone, custom = {} }: Criteria): Visitor | null {
    const where: string[] = []
    const values: SqlStorageValue[] = []
    if (email) where.push('email = ?'), values.push(email)
    if (phone) where.push('phone = ?'), values.push(phone)
    for (const [id, value] of Object.entries(custom)) {
      // Field ids are checked against the configured ones, so they are safe in a JSON path.
      where.push(`instr(json_extract(custom, '$."' || ? || '"'), ?) > 0`)
      values.push(id, value.toLowerCase())
    }
    const [row] = this.sql.exec<Row>(
      `SELECT record FROM visitors WHERE ${where.join(' AND ')} ORDER BY updated DESC LIMIT 1`, ...values).toArray()
    return row ? JSON.parse(row.record) : null
  }

  /** A page of visitors, newest first, whose name, username, email or phone contains `term`. */
  list(term: string, count: number, offset: number): { visitors: Visitor[]; total: number } {
    const [where, values] = term ? ['WHERE instr(search, ?) > 0', [term.toLowerCase()]] : ['', []]
    const total = this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM visitors ${where}`, ...values).one().n
    const rows = this.sql.exec<Row>(
      `SELECT record FROM visitors ${where} ORDER BY created DESC, id LIMIT ? OFFSET ?`, ...values, count, offset).toArray()
    return { visitors: rows.map((r) => JSON.parse(r.record)), total }
  }

  /** The username asked for when it is free and not guest-N shaped (both compared by its key);
   * else the next free guest-N. */
  private username(wanted: string | undefined): string {
    if (wanted && !GUEST_NAME.test(usernameKey(wanted)) && !this.taken(wanted)) return wanted
    let name: string
    do name = `guest-${this.next('guest')}`
    while (this.taken(name))
    return name
  }

  private taken(username: string): boolean {
    return this.sql.exec('SELECT 1 FROM visitors WHERE username_key = ?', usernameKey(username)).toArray().length > 0
  }

  private next(name: string): number {
    return this.sql.exec<{ value: number }>(
      'INSERT INTO sequences VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value',
      name).one().value
  }
}
