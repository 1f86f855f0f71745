// The chats the agent serves, newest first, each with its unread count.
import type { AgentRoom } from '../../../../shared/chat'
import { inboxHref } from '../routes'

export function ChatList({ rooms, unread, current }: { rooms: AgentRoom[]; unread: Record<string, number>; current?: string }) {
  return (
    <section aria-labelledby="chats-title">
      <h2 id="chats-title">My chats ({rooms.length})</h2>
      {rooms.length ? (
        <ul class="cards">
          {rooms.map((room) => {
            const count = unread[room._id] ?? 0
            return (
              <li key={room._id}>
                <a href={inboxHref(room._id)} aria-current={room._id === current ? 'page' : undefined} class="card-title">
                  {room.fname}
                  {count > 0 && <span class="badge">{count} unread</span>}
                </a>
              </li>
            )
          })}
        </ul>
      ) : (
        <p class="hint">No open chats.</p>
      )}
    </section>
  )
}
