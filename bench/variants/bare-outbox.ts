// Elimination variants (node bench/eliminate.ts): the bare Worker whose registry also keeps a
// minimal outbox, to tell what any outbox costs from what ours costs.
//   TwoWritesRegistry   after its KV put and before answering, one more SQL write that changes a row
//   BareOutboxRegistry  an outbox row written with the visitor, deleted once the KV put is done
import { BareRegistry } from '../bare/index.ts'

export { default } from '../bare/index.ts'

type Visitor = Record<string, unknown> & { token: string }

export class TwoWritesRegistry extends BareRegistry {
  constructor(ctx: DurableObjectState, env: ConstructorParameters<typeof BareRegistry>[1]) {
    super(ctx, env)
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS confirmed (n INTEGER NOT NULL)')
    ctx.storage.sql.exec('INSERT INTO confirmed SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM confirmed)')
  }

  override async register(visitor: Visitor) {
    const record = await super.register(visitor)
    this.ctx.storage.sql.exec('UPDATE confirmed SET n = n + 1')
    return record
  }
}

export class BareOutboxRegistry extends BareRegistry {
  constructor(ctx: DurableObjectState, env: ConstructorParameters<typeof BareRegistry>[1]) {
    super(ctx, env)
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS outbox (key TEXT PRIMARY KEY, value TEXT NOT NULL)')
  }

  override async register(visitor: Visitor) {
    const fresh = { ...visitor, _id: crypto.randomUUID(), ts: new Date().toISOString() }
    const sql = this.ctx.storage.sql
    const { id } = sql.exec<{ id: string }>(
      `INSERT INTO visitors (token, id, record) VALUES (?1, ?2, ?3)
       ON CONFLICT(token) DO UPDATE SET record = json_set(?3, '$._id', visitors.id) RETURNING id`,
      visitor.token, fresh._id, JSON.stringify(fresh)).one()
    const record = { ...fresh, _id: id }
    const key = `visitor:${id}`
    sql.exec('INSERT OR REPLACE INTO outbox VALUES (?, ?)', key, JSON.stringify(record))
    await this.env.CONTACTS.put(key, JSON.stringify(record))
    sql.exec('DELETE FROM outbox WHERE key = ?', key)
    return record
  }
}
