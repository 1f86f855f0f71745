// While the tab is hidden, the new contacts and inquiries that arrive are counted in the page title
// (title.ts); the count clears when the agent looks again. Counted by id: a reconnection may bring
// one twice.
import type { Ddp } from './ddp'
import { CONTACTS_STREAM, QUEUE_STREAM } from './streams'
import { setUnseen } from './title'

const hidden = () => document.visibilityState === 'hidden'

export function countWhileHidden(ddp: Ddp): () => void {
  const ids = new Set<string>()
  const arrived = (id: string) => {
    if (!hidden()) return
    ids.add(id)
    setUnseen(ids.size)
  }
  const onVisibility = () => {
    if (hidden()) return
    ids.clear()
    setUnseen(0)
  }
  document.addEventListener('visibilitychange', onVisibility)
  const stops = [
    ddp.subscribe(CONTACTS_STREAM, 'new', ([contact]) => arrived(`contact/${contact?._id}`)),
    ddp.subscribe(QUEUE_STREAM, 'public', ([event]) => event?.type === 'added' && arrived(`inquiry/${event._id}`)),
  ]
  return () => {
    document.removeEventListener('visibilitychange', onVisibility)
    for (const stop of stops) stop()
    setUnseen(0)
  }
}
