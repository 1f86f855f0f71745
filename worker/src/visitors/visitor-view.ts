// What a visitor's own endpoints show of their record: what they gave or may see, never what
// agents keep about them (the contact manager's sign-in name, hidden custom fields, fields no
// longer offered to visitors).
import { visitorFields } from '../config.ts'
import type { Visitor } from '../../../shared/visitor.ts'

export type VisitorView = Omit<Visitor, 'contactManager'>

export function visitorView(visitor: Visitor, env: Env): VisitorView {
  const { contactManager: _agentsOnly, livechatData, ...shown } = visitor
  // Read only when there is something to filter: a broken field list fails only those answers.
  if (!livechatData) return shown
  const visible = new Set(visitorFields(env).map((f) => f._id))
  return { ...shown, livechatData: Object.fromEntries(Object.entries(livechatData).filter(([key]) => visible.has(key))) }
}
