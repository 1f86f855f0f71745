// One chat: its messages, who is typing, the reply box and closing, with the contact's details
// beside them. Sending is optimistic: the message shows at once as pending, goes out with an `_id`
// chosen here, and is resent with the same `_id` (outbox.ts), so it is stored once.
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks'
import type { AgentRoom } from '../../../../shared/chat'
import type { Api, Me } from '../../api'
import type { Ddp } from '../../ddp'
import { fromWire, randomId, type ChatMessage } from '../../messages'
import { deliver } from '../../outbox'
import { CloseChat } from './CloseChat'
import { Composer } from './Composer'
import { ContactCard } from './ContactCard'
import { MessageList } from './MessageList'

/** Typing is announced again after this long of continued typing, and ends after this long idle. */
export const TYPING_REPEAT_MS = 3_000
export const TYPING_IDLE_MS = 3_000

export function Conversation(props: {
  api: Api
  ddp?: Ddp
  me: Me
  rid: string
  room?: AgentRoom
  messages: ChatMessage[]
  typing: string
  onMessages: (list: ChatMessage[]) => void
  onClosed: () => void
}) {
  const { api, ddp, me, rid, room, messages } = props
  const heading = useRef<HTMLHeadingElement>(null)
  const typingSince = useRef(0)
  const idle = useRef<ReturnType<typeof setTimeout>>(undefined)
  const ended = room?.open === false || messages.some((m) => m.t === 'livechat-close')

  // Arrived here with nothing focused (the Take button pressed is gone): the heading says where.
  useLayoutEffect(() => {
    if (!document.activeElement || document.activeElement === document.body) heading.current?.focus()
  }, [])

  const activity = (typing: boolean) =>
    ddp?.call('stream-notify-room', `${rid}/user-activity`, me.username, typing ? ['user-typing'] : [], {}).catch(() => {})
  const stopTyping = () => {
    clearTimeout(idle.current)
    if (!typingSince.current) return
    typingSince.current = 0
    void activity(false)
  }
  const typed = () => {
    if (Date.now() - typingSince.current > TYPING_REPEAT_MS) {
      typingSince.current = Date.now()
      void activity(true)
    }
    clearTimeout(idle.current)
    idle.current = setTimeout(stopTyping, TYPING_IDLE_MS)
  }
  useEffect(() => stopTyping, [])

  const send = (msg: string, _id = randomId()) => {
    stopTyping()
    const pending: ChatMessage = { _id, msg, ts: Date.now(), u: { _id: me._id, username: me.username, name: me.name }, state: 'pending' }
    props.onMessages([pending])
    void deliver(() => api.send(rid, msg, _id)).then((r) =>
      props.onMessages([r.ok ? fromWire(r.data.message as never) : { ...pending, state: 'failed', error: r.error }]),
    )
  }

  const name = room?.fname ?? 'Chat'
  const typingName = props.typing && (props.typing === room?.v.username ? name : props.typing)
  return (
    <section aria-labelledby="chat-title" class="chat">
      <h2 id="chat-title" tabIndex={-1} ref={heading}>
        {name}
      </h2>
      <div class="chat-grid">
        <div class="chat-main">
          <MessageList messages={messages} me={me} visitor={name} onRetry={(m) => send(m.msg, m._id)} />
          <p role="status" class="typing">
            {typingName ? `${typingName} is typing…` : ''}
          </p>
          {ended ? (
            <p class="flash">This chat has ended.</p>
          ) : (
            <>
              <Composer onSend={send} onTyping={typed} />
              <CloseChat api={api} rid={rid} onClosed={props.onClosed} />
            </>
          )}
        </div>
        {room && <ContactCard api={api} visitorId={room.v._id} name={name} />}
      </div>
    </section>
  )
}
