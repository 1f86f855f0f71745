// Available / not available for chats. The server has no read of an agent's own status, so the
// switch shows what this tab last set (kept for the tab, like the session), off at first.
import { useState } from 'preact/hooks'
import type { AgentStatus } from '../../../../shared/chat'
import type { Api } from '../../api'

// Per agent: another agent signing in on this tab must not see the previous one's status.
const key = (userId: string) => `ecc-console:status:${userId}`

function stored(userId: string): AgentStatus {
  try {
    return sessionStorage.getItem(key(userId)) === 'available' ? 'available' : 'not-available'
  } catch {
    return 'not-available'
  }
}

export function StatusSwitch({ api, userId }: { api: Api; userId: string }) {
  const [status, setStatus] = useState<AgentStatus>(() => stored(userId))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  const toggle = async () => {
    if (busy) return
    setBusy(true)
    setError('')
    const r = await api.setStatus(status === 'available' ? 'not-available' : 'available')
    setBusy(false)
    if (!r.ok) return setError(`Couldn't change your status: ${r.error}`)
    setStatus(r.data.status)
    try {
      sessionStorage.setItem(key(userId), r.data.status)
    } catch {
      // Blocked storage: the switch is right for this page only.
    }
  }

  return (
    <div class="status-switch">
      <label>
        <input type="checkbox" role="switch" checked={status === 'available'} aria-busy={busy || undefined} onChange={toggle} />
        Available
      </label>
      <div role="alert">{error && <p class="error">{error}</p>}</div>
    </div>
  )
}
