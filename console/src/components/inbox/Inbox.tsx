// The inbox: the agent's status, the queue (live over the queue stream, never polled), the chats
// the agent serves with unread counts, and the open chat. The console's live connection (live.ts)
// carries all of it; once it is ready, and after every reconnection, the queue, the chats and the
// open chat's history are loaded again over REST and merged by `_id`, so what was missed while
// disconnected shows, once.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { AgentRoom, Inquiry, Message } from '../../../../shared/chat'
import { fromWire, merge, type ChatMessage } from '../../messages'
import { useTitle } from '../Announce'
import { inboxHref } from '../routes'
import { ChatList } from './ChatList'
import { Conversation } from './Conversation'
import { NotifyButton, notifyInquiry } from './notify'
import { OfflineMessages } from './OfflineMessages'
import { canViewRooms } from '../../session'
import { QUEUE_STREAM } from '../../streams'
import { Queue } from './Queue'
import { StatusSwitch } from './StatusSwitch'
import type { InboxProps } from './types'
import './inbox.css'

type QueueEvent = Inquiry & { type: 'added' | 'changed' | 'removed' }

export const TAKEN_FIRST = (name: string) => `Another agent took the chat with ${name} first.`

export function Inbox({ api, session, rid, ddp }: InboxProps) {
  const [queue, setQueue] = useState<Inquiry[]>([])
  // Every room seen this visit, by id: the open ones are listed, a closed one stays readable.
  const [rooms, setRooms] = useState<Record<string, AgentRoom>>({})
  const [messages, setMessages] = useState<Record<string, ChatMessage[]>>({})
  const [unread, setUnread] = useState<Record<string, number>>({})
  const [typing, setTyping] = useState<Record<string, string>>({})
  const [alert, setAlert] = useState('')
  const [ready, setReady] = useState(false)
  const current = useRef(rid)
  current.current = rid
  // Each open chat's stream-room-messages subscription, by room id.
  const roomSubs = useRef(new Map<string, () => void>())
  // Message ids already counted, so a message delivered twice is not unread twice.
  const seen = useRef(new Set<string>())
  const me = session.me
  useTitle(rid && rooms[rid] ? rooms[rid].fname : 'Inbox')

  const add = (roomId: string, list: ChatMessage[]) => {
    for (const m of list) seen.current.add(m._id)
    setMessages((all) => ({ ...all, [roomId]: merge(all[roomId] ?? [], list) }))
  }

  const loadHistory = async (roomId: string) => {
    const r = await api.history(roomId)
    if (r.ok) add(roomId, r.data.result.updated.map(fromWire))
  }

  const loadRooms = async () => {
    const r = await api.openRooms(session.userId)
    if (!r.ok) return
    const open = new Map(r.data.rooms.map((room) => [room._id, room]))
    // A room missing from the open ones was closed meanwhile.
    setRooms((known) => {
      const next: Record<string, AgentRoom> = {}
      for (const [id, room] of Object.entries(known)) next[id] = open.get(id) ?? { ...room, open: false }
      for (const [id, room] of open) next[id] = room
      return next
    })
  }

  const loadQueue = async () => {
    const r = await api.queue()
    if (r.ok) setQueue(r.data.inquiries)
  }

  const onQueueEvent = ([event]: [QueueEvent]) => {
    const { type, ...inquiry } = event
    setQueue((list) => {
      const rest = list.filter((i) => i._id !== inquiry._id)
      if (type === 'removed' || inquiry.status !== 'queued') return rest
      const at = list.findIndex((i) => i._id === inquiry._id)
      return at < 0 ? [...rest, inquiry] : list.map((i) => (i._id === inquiry._id ? inquiry : i))
    })
    if (type === 'added') notifyInquiry(inquiry)
  }

  const onRoomMessage = (roomId: string, wire: Message) => {
    const message = fromWire(wire as never)
    const fresh = !seen.current.has(message._id)
    add(roomId, [message])
    setTyping((t) => (t[roomId] === message.u.username ? { ...t, [roomId]: '' } : t))
    if (message.t === 'livechat-close') setRooms((r) => (r[roomId] ? { ...r, [roomId]: { ...r[roomId], open: false } } : r))
    if (fresh && !message.t && message.u._id !== me._id && roomId !== current.current) {
      setUnread((u) => ({ ...u, [roomId]: (u[roomId] ?? 0) + 1 }))
    }
  }

  // The queue, live; the queue and the chats read again each time the connection is ready.
  useEffect(() => {
    if (!ddp) return
    const reload = () => {
      setReady(true)
      void loadQueue()
      void loadRooms()
    }
    const stopQueue = ddp.subscribe(QUEUE_STREAM, 'public', onQueueEvent as never)
    // The open chat's history too (already loaded by the effect below when the socket was ready).
    const stopReady = ddp.onReady(() => {
      reload()
      if (current.current) void loadHistory(current.current)
    })
    if (ddp.ready) reload()
    return () => {
      stopQueue()
      stopReady()
      // The connection outlives the inbox: its rooms' subscriptions end with it.
      for (const stop of roomSubs.current.values()) stop()
      roomSubs.current.clear()
    }
  }, [ddp])

  // Each open chat's messages, for its unread count as much as for the open conversation.
  const openIds = Object.values(rooms).filter((r) => r.open).map((r) => r._id).sort().join()
  useEffect(() => {
    if (!ddp) return
    const wanted = new Set(openIds ? openIds.split(',') : [])
    for (const [id, stop] of roomSubs.current) if (!wanted.has(id)) (stop(), roomSubs.current.delete(id))
    for (const id of wanted) {
      if (!roomSubs.current.has(id)) roomSubs.current.set(id, ddp.subscribe('stream-room-messages', id, ([m]) => onRoomMessage(id, m)))
    }
  }, [ddp, openIds])

  // The open chat: its history, and who is typing in it.
  useEffect(() => {
    if (!rid || !ddp) return
    setUnread((u) => ({ ...u, [rid]: 0 }))
    if (ddp.ready) void loadHistory(rid)
    return ddp.subscribe('stream-notify-room', `${rid}/user-activity`, ([username, activities]) =>
      setTyping((t) => ({ ...t, [rid]: (activities as string[]).includes('user-typing') ? String(username) : '' })),
    )
  }, [rid, ddp])

  const take = async (inquiry: Inquiry) => {
    setAlert('')
    const r = await api.take(inquiry._id)
    if (r.ok || r.errorType === 'error-not-allowed') setQueue((list) => list.filter((i) => i._id !== inquiry._id))
    if (r.ok) {
      await loadRooms()
      location.hash = inboxHref(inquiry.rid)
    } else {
      setAlert(r.errorType === 'error-not-allowed' ? TAKEN_FIRST(inquiry.name) : `Couldn't take the chat with ${inquiry.name}: ${r.error}`)
    }
  }

  const room = rid ? rooms[rid] : undefined
  return (
    <section aria-labelledby="inbox-title" class="inbox">
      <div class="title-row">
        <h1 id="inbox-title">Inbox</h1>
        <StatusSwitch api={api} userId={session.userId} />
      </div>
      <p role="status" class="status">
        {ready ? '' : 'Connecting to live updates…'}
      </p>
      <div role="alert">{alert && <p class="error-box">{alert}</p>}</div>
      <NotifyButton />
      <div class="inbox-grid">
        <div class="inbox-side">
          <Queue queue={queue} onTake={take} />
          <ChatList rooms={Object.values(rooms).filter((r) => r.open)} unread={unread} current={rid} />
          {canViewRooms(session) && <OfflineMessages api={api} />}
        </div>
        <div class="inbox-main">
          {rid ? (
            <Conversation
              key={rid}
              api={api}
              ddp={ddp}
              me={me}
              rid={rid}
              room={room}
              messages={messages[rid] ?? []}
              typing={typing[rid] ?? ''}
              onMessages={(list) => add(rid, list)}
              onClosed={() => {
                setRooms((r) => (r[rid] ? { ...r, [rid]: { ...r[rid], open: false } } : r))
                // The close message, whether or not the stream (no longer followed) brought it.
                void loadHistory(rid)
              }}
            />
          ) : (
            <p class="hint">Take a chat from the queue, or open one of yours.</p>
          )}
        </div>
      </div>
    </section>
  )
}
