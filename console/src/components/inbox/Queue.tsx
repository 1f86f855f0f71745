// The chats waiting for an agent, oldest first, each with a Take button.
import type { Inquiry } from '../../../../shared/chat'
import { formatTime } from './time'

export function Queue({ queue, onTake }: { queue: Inquiry[]; onTake: (inquiry: Inquiry) => void }) {
  return (
    <section aria-labelledby="queue-title">
      <h2 id="queue-title">Queue ({queue.length})</h2>
      {queue.length ? (
        <ul class="cards">
          {queue.map((inquiry) => (
            <li key={inquiry._id}>
              <p class="card-title" id={`q-${inquiry._id}`}>
                {inquiry.name}
              </p>
              <p class="meta">
                {inquiry.message || 'No message yet'} · {formatTime(Date.parse(inquiry.ts))}
              </p>
              <button type="button" aria-describedby={`q-${inquiry._id}`} onClick={() => onTake(inquiry)}>
                Take
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">Nobody is waiting.</p>
      )}
    </section>
  )
}
