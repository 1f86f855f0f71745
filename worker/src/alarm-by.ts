// A Durable Object has one alarm, and several duties share it (KV copies, the event outbox, room
// summaries, erasures): each asks for it by a time, the earliest wins, and the alarm handler does
// every duty that is due. Updates are serialised per object, since two that interleave their read
// and write could leave the later time.
const chains = new WeakMap<DurableObjectStorage, Promise<void>>()

/** Sets the object's alarm for `due` (not in the past) unless it is already set earlier. */
export function alarmBy(storage: DurableObjectStorage, due: number): Promise<void> {
  const set = (chains.get(storage) ?? Promise.resolve()).then(async () => {
    const current = await storage.getAlarm()
    if (current === null || current > due) await storage.setAlarm(Math.max(due, Date.now()))
  })
  chains.set(storage, set.catch(() => {}))
  return set
}
