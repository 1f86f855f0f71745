// The reply box: Enter sends, Shift+Enter starts a new line; every keystroke counts as typing.
import { useState } from 'preact/hooks'
import { MAX_MESSAGE_LENGTH } from '../../../../shared/chat'

export function Composer({ onSend, onTyping }: { onSend: (text: string) => void; onTyping: () => void }) {
  const [draft, setDraft] = useState('')
  const submit = (event?: Event) => {
    event?.preventDefault()
    const text = draft.trim()
    if (!text) return
    onSend(text)
    setDraft('')
  }
  return (
    <form class="composer" onSubmit={submit}>
      <label for="reply">Message</label>
      <textarea
        id="reply"
        rows={3}
        maxLength={MAX_MESSAGE_LENGTH}
        value={draft}
        onInput={(e) => {
          setDraft(e.currentTarget.value)
          onTyping()
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) submit(e)
        }}
      />
      <p class="hint">Enter sends; Shift+Enter starts a new line.</p>
      <button type="submit">Send</button>
    </form>
  )
}
