// The conversation as a log (screen readers announce what is added), the agent's own messages
// told apart, each unsent one marked, a failed one with a Retry button.
import { useEffect, useRef } from 'preact/hooks'
import type { Me } from '../../api'
import type { ChatMessage } from '../../messages'
import { formatTime } from './time'

function systemText(m: ChatMessage, author: string): string {
  if (m.t === 'livechat-close') return `${author} closed the chat${m.msg ? `: ${m.msg}` : '.'}`
  if (m.t === 'uj') return `${author} joined the chat.`
  if (m.t === 'livechat_navigation_history') return `The visitor opened ${m.msg}`
  return 'The chat started.'
}

export function MessageList(props: { messages: ChatMessage[]; me: Me; visitor: string; onRetry: (m: ChatMessage) => void }) {
  const end = useRef<HTMLLIElement>(null)
  useEffect(() => end.current?.scrollIntoView?.({ block: 'nearest' }), [props.messages.length])
  const authorOf = (m: ChatMessage) => (m.u._id === props.me._id ? 'You' : m.u.name || (m.u.username.startsWith('guest-') ? props.visitor : m.u.username))
  return (
    // Focusable: the agent scrolls it with the keyboard.
    <div role="log" aria-label="Messages" class="messages" tabIndex={0}>
      <ol>
      {props.messages.map((m) =>
        m.t ? (
          <li key={m._id} class="system">
            {systemText(m, authorOf(m))}
          </li>
        ) : (
          <li key={m._id} class={m.u._id === props.me._id ? 'mine' : 'theirs'}>
            <p class="meta">
              <strong>{authorOf(m)}</strong> · {formatTime(m.ts)}
              {m.state === 'pending' && ' · Sending…'}
            </p>
            <p class="text">{m.msg}</p>
            {m.state === 'failed' && (
              <p class="error">
                Not sent: {m.error}{' '}
                <button type="button" class="secondary" onClick={() => props.onRetry(m)}>
                  Retry
                </button>
              </p>
            )}
          </li>
        ),
      )}
        <li ref={end} aria-hidden="true" class="end" />
      </ol>
    </div>
  )
}
