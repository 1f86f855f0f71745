// The signed-in agent's token, in sessionStorage only: it goes with the tab, never to disk for
// other tabs or later visits. Where sessionStorage is blocked, it lives in memory for the page.
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
  try {
    const value = JSON.parse(storage()?.getItem(KEY) ?? 'null')
    return isSession(value) ? value : fallback
  } catch {
    return fallback
  }
}

export function saveSession(session: Session | null): void {
  fallback = session
  try {
    if (session) storage()?.setItem(KEY, JSON.stringify(session))
    else storage()?.removeItem(KEY)
  } catch {
    // Kept in memory (fallback) only.
  }
}

/** Erasing contacts is Rocket.Chat's delete-livechat-contact permission: managers and admins. */
export const canErase = (session: Session): boolean => session.me.roles.some((r) => r === 'admin' || r === 'livechat-manager')
