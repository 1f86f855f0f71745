// The Omnichannel object's `rooms` table: every room's latest summary, with the columns that find
// a visitor's open room, list the queue (open, served by nobody) and list rooms for agents.
import type { Summary } from './room-record.ts'

interface Row extends Record<string, SqlStorageValue> {
  record: string
  message: string
  version: number
}

const summaryOf = (row: Row): Summary => ({ room: JSON.parse(row.record), message: row.message, version: row.version })

/** Which rooms an agent's list shows. */
export interface RoomFilter {
  open?: boolean
  /** Served by one of these agents. */
  agents?: string[]
}

export class RoomsIndex {
  private readonly sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.sql = sql
    sql.exec(`
      CREATE TABLE IF NOT EXISTS rooms (
        rid TEXT PRIMARY KEY,
        visitor_id TEXT NOT NULL,
        open INTEGER NOT NULL,
        served_by TEXT,
        department TEXT,
        ts TEXT NOT NULL,
        version INTEGER NOT NULL,
        record TEXT NOT NULL,
        message TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS rooms_visitor ON rooms (visitor_id, open);
      CREATE INDEX IF NOT EXISTS rooms_queue ON rooms (ts) WHERE open = 1 AND served_by IS NULL;
      CREATE INDEX IF NOT EXISTS rooms_ts ON rooms (ts);
    `)
  }

  get(rid: string): Summary | undefined {
    const [row] = this.sql.exec<Row>('SELECT record, message, version FROM rooms WHERE rid = ?', rid).toArray()
    return row && summaryOf(row)
  }

  /** The visitor's open room, if any. */
  openOf(visitorId: string): Summary | undefined {
    const [row] = this.sql.exec<Row>('SELECT record, message, version FROM rooms WHERE visitor_id = ? AND open = 1 LIMIT 1', visitorId).toArray()
    return row && summaryOf(row)
  }

  insert(summary: Summary): void {
    const { room, version, message } = summary
    this.sql.exec('INSERT INTO rooms VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', room._id, room.v._id, room.open ? 1 : 0,
      room.servedBy?._id ?? null, room.departmentId ?? null, room.ts, version, JSON.stringify(room), message)
  }

  /** Takes the summary unless the index has it or a newer one; answers the summary it replaced.
   * Never inserts: a room the index does not know was erased, and stays so. */
  apply(summary: Summary): Summary | undefined {
    const before = this.get(summary.room._id)
    if (!before || before.version >= summary.version) return undefined
    const { room, version, message } = summary
    this.sql.exec('UPDATE rooms SET open = ?, served_by = ?, version = ?, record = ?, message = ? WHERE rid = ?',
      room.open ? 1 : 0, room.servedBy?._id ?? null, version, JSON.stringify(room), message, room._id)
    return before
  }

  /** One page of the queue, oldest first, of one department or all. */
  queued(department: string | undefined, offset: number, count: number): { summaries: Summary[]; total: number } {
    const where = `open = 1 AND served_by IS NULL${department === undefined ? '' : ' AND department = ?'}`
    const values = department === undefined ? [] : [department]
    return this.page(where, values, 'ts, rid', offset, count)
  }

  /** One page of rooms, newest first. */
  list({ open, agents }: RoomFilter, offset: number, count: number): { summaries: Summary[]; total: number } {
    const where: string[] = []
    const values: SqlStorageValue[] = []
    if (open !== undefined) where.push('open = ?'), values.push(open ? 1 : 0)
    if (agents) where.push(`served_by IN (${agents.map(() => '?').join(', ') || 'NULL'})`), values.push(...agents)
    return this.page(where.join(' AND ') || '1', values, 'ts DESC, rid', offset, count)
  }

  /** Deletes the visitor's rooms; answers what they were. */
  removeVisitor(visitorId: string): Summary[] {
    return this.sql.exec<Row>('DELETE FROM rooms WHERE visitor_id = ? RETURNING record, message, version', visitorId).toArray().map(summaryOf)
  }

  private page(where: string, values: SqlStorageValue[], order: string, offset: number, count: number) {
    const total = this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM rooms WHERE ${where}`, ...values).one().n
    const rows = this.sql.exec<Row>(
      `SELECT record, message, version FROM rooms WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`, ...values, count, offset).toArray()
    return { summaries: rows.map(summaryOf), total }
  }
}
