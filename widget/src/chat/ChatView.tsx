// The conversation: who serves it, the messages (a `log` region, which screen readers announce
// as messages arrive), the other side typing, and the message box, or the offline form.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { LivechatConfig } from '../api-client'
import type { LoadExtras } from '../extras'
import type { SubmitTexts } from '../../../shared/widget-texts'
import type { Strings } from '../i18n'
import { allSet, fill } from '../texts'
import { OfflineForm } from './OfflineForm'
import type { ChatSession } from './session'
import type { ChatStrings } from './strings'
import { adoptChatStyles } from './styles'

export function ChatView(props: { session: ChatSession; c: ChatStrings; main: Strings & SubmitTexts; known?: string; config?: LivechatConfig; extras: LoadExtras }) {
  const { session, c, main, known } = props
  const [state, setState] = useState(session.state)
  const log = useRef<HTMLDivElement>(null)
  const box = useRef<HTMLTextAreaElement>(null)
  const { room, messages, agent, ended } = state

  useLayoutEffect(() => {
    // Also here: the widget's host element may have been mounted after the chunk started.
    const root = log.current?.getRootNode() as ShadowRoot | undefined
    adoptChatStyles(root)
    // The form that gave way to this view had focus: give it to the message box, unless the
    // host page holds focus (a host's open() must not steal it).
    const lost = (el?: Element | null) => !el || el === document.body
    if (lost(root?.activeElement) && (lost(document.activeElement) || document.activeElement!.shadowRoot === root)) box.current?.focus()
    setState(session.state)
    return session.subscribe(setState)
  }, [])

  useLayoutEffect(() => {
    const el = log.current
    if (el) el.scrollTop = el.scrollHeight
  }, [messages.length])

  if (state.offline) return <OfflineForm session={session} c={c} t={main} sent={state.offline === 'sent'} config={props.config} extras={props.extras} />

  const send = (e: Event) => {
    e.preventDefault()
    session.send()
  }
  const failed = messages.some((m) => m.state === 'failed')

  return (
    <div class="chat">
      <p class="agent" role="status">
        {agent ? fill(c.servedBy, agent.name || agent.username) : !ended && allSet(main, known)}
      </p>
      <div class="log" role="log" aria-label={c.messages} ref={log} tabIndex={0}>
        {messages.map((m) =>
          m.t ? (
            m.t === 'livechat-close' && (
              <p key={m._id} class="system">
                {c.ended}
              </p>
            )
          ) : (
            <p key={m._id} class={`msg ${m.mine ? 'mine' : 'theirs'}`}>
              <span class="who">{m.mine ? c.you : m.from || c.agent}</span>
              <span class="text">{m.msg}</span>
              {m.state && <span class="state">{m.state === 'pending' ? c.pending : c.failed}</span>}
            </p>
          ),
        )}
      </div>
      <p class="typing" aria-live="polite">
        {state.typing && fill(c.typing, state.typing)}
        {!state.connected && c.reconnecting}
      </p>
      {failed && (
        <button type="button" class="retry" onClick={session.retry}>
          {c.retry}
        </button>
      )}
      {ended ? (
        <div class="ended">
          {!messages.some((m) => m.t === 'livechat-close') && <p>{c.ended}</p>}
          <button type="button" class="submit" onClick={session.restart}>
            {c.newChat}
          </button>
        </div>
      ) : (
        <form class="compose" onSubmit={send}>
          <textarea
            ref={box}
            aria-label={c.message}
            rows={2}
            maxLength={5000}
            value={state.draft}
            onInput={(e) => session.type(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Enter' && !e.shiftKey && !e.isComposing && send(e)}
          />
          <button type="submit" class="submit send">
            {c.send}
          </button>
        </form>
      )}
      {room && !ended && (
        <button type="button" class="end" onClick={() => void session.close()}>
          {c.endChat}
        </button>
      )}
    </div>
  )
}
