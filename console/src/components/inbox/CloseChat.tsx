// Closing the chat, with an optional comment the visitor's client receives with the close.
import { useState } from 'preact/hooks'
import { MAX_MESSAGE_LENGTH } from '../../../../shared/chat'
import type { Api } from '../../api'

export function CloseChat({ api, rid, onClosed }: { api: Api; rid: string; onClosed: () => void }) {
  const [comment, setComment] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const close = async (event: Event) => {
    event.preventDefault()
    if (busy) return
    setBusy(true)
    setError('')
    const r = await api.close(rid, comment.trim())
    setBusy(false)
    if (r.ok) onClosed()
    else setError(`Couldn't close the chat: ${r.error}`)
  }
  return (
    <form class="close-chat" onSubmit={close}>
      <label for="close-comment">
        Closing comment <span class="optional">(optional)</span>
      </label>
      <input id="close-comment" maxLength={MAX_MESSAGE_LENGTH} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
      <div role="alert">{error && <p class="error">{error}</p>}</div>
      <button type="submit" class="danger" aria-disabled={busy || undefined}>
        Close chat
      </button>
    </form>
  )
}
