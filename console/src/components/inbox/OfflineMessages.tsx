// Messages left through the widget's offline form: closed rooms nobody served, newest first, for
// those who may list every room (view-livechat-rooms). Loaded on open and on Refresh, never polled.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { AgentRoom } from '../../../../shared/chat'
import type { Api } from '../../api'
import { formatDate } from '../../contact'
import { contactHref } from '../routes'

/** At most this many are shown, each costing one history call. */
const SHOWN = 20

type Entry = AgentRoom & { text?: string }

export function OfflineMessages({ api }: { api: Api }) {
  const [entries, setEntries] = useState<Entry[]>()
  const [error, setError] = useState('')
  // Only the latest load's answer counts: a slow one must not overwrite a Refresh.
  const latest = useRef(0)

  const load = async () => {
    const run = ++latest.current
    setError('')
    const r = await api.closedRooms()
    if (run !== latest.current) return
    if (!r.ok) return setError(r.error)
    const rooms = r.data.rooms.filter((room) => !room.servedBy).slice(0, SHOWN)
    // A monitor may not read the history (400): name and time are all it gets.
    const list = await Promise.all(
      rooms.map(async (room) => {
        const h = await api.history(room._id)
        return { ...room, text: h.ok ? h.data.result.updated.find((m) => !m.t)?.msg : undefined }
      }),
    )
    if (run === latest.current) setEntries(list)
  }

  useEffect(() => void load(), [])

  return (
    <section aria-labelledby="offline-title">
      <div class="title-row">
        <h2 id="offline-title">Offline messages</h2>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <div role="alert">{error && <p class="error-box">{error}</p>}</div>
      {!entries ? (
        <p class="hint">Loading…</p>
      ) : entries.length ? (
        <ul class="cards">
          {entries.map((room) => (
            <li key={room._id}>
              <a class="card-title" href={contactHref(room.v._id)}>
                {room.fname}
              </a>
              <p class="meta">
                <time dateTime={room.ts}>{formatDate(room.ts)}</time>
              </p>
              {room.text && <p>{room.text}</p>}
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">No offline messages.</p>
      )}
    </section>
  )
}
