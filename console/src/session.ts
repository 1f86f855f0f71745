// The signed-in agent's token, in sessionStorage only: it goes with the tab, never to disk for
// other tabs or later visits. Where sessionStorage is blocked, it lives in memory for the page.
import { PERMISSIONS, type Permission } from '../../shared/roles'
import type { Session } from './api'

const KEY = 'ecc-console:session'
let fallback: Session | null = null

function storage(): Storage | undefined {
  try {
    return sessionStorage
  } catch {
    return undefined
  }
}

const isSession = (value: any): value is Session =>
  typeof value?.userId === 'string' && typeof value.authToken === 'string' && typeof value.me?.username === 'string' && Array.isArray(value.me.roles)

export function loadSession(): Session | null {
  let text: string | null
  try {
    text = storage()!.getItem(KEY)
  } catch {
    return fallback
  }
  try {
    const value = JSON.parse(text ?? 'null')
    return isSession(value) ? value : null
  } catch {
    return null
  }
}

export function saveSession(session: Session | null): void {
  try {
    if (session) storage()!.setItem(KEY, JSON.stringify(session))
    else storage()!.removeItem(KEY)
    fallback = null
  } catch {
    fallback = session // Blocked or full: kept in memory, for this page only.
  }
}

/** Whether the agent's roles grant `permission`, per the Worker's own table. */
const can = (session: Session, permission: Permission): boolean =>
  session.me.roles.some((role) => (PERMISSIONS[permission] as readonly string[]).includes(role))

/** Editing contacts takes update-livechat-contact (agents, managers and admins; not monitors). */
export const canEdit = (session: Session): boolean => can(session, 'update-livechat-contact')

/** Erasing contacts takes delete-livechat-contact (managers and admins). */
export const canErase = (session: Session): boolean => can(session, 'delete-livechat-contact')

/** Listing every room takes view-livechat-rooms (admins, managers and monitors). */
export const canViewRooms = (session: Session): boolean => can(session, 'view-livechat-rooms')
