// The confirmation before erasing: what will be lost, and the choice. Focus starts on Cancel
// (the safe answer); Escape cancels.
import { useState } from 'preact/hooks'
import type { Api, Visitor } from '../api'
import { displayName } from '../contact'

export function EraseConfirm(props: { api: Api; visitor: Visitor; onErased: () => void; onCancel: () => void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  const erase = async () => {
    if (busy) return
    setBusy(true)
    setError('')
    const r = await props.api.erase(props.visitor._id)
    if (r.ok) return props.onErased()
    setBusy(false)
    setError(`Couldn't erase: ${r.error}`)
  }

  return (
    <div
      class="confirm"
      role="alertdialog"
      aria-labelledby="erase-title"
      aria-describedby="erase-text"
      onKeyDown={(e) => e.key === 'Escape' && !busy && props.onCancel()}
    >
      <h2 id="erase-title">Erase {displayName(props.visitor)}?</h2>
      <p id="erase-text">
        This deletes the contact and everything stored about them, for good. It cannot be undone.
      </p>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <p role="status" class="status">
        {busy ? 'Erasing…' : ''}
      </p>
      <div class="actions">
        <button type="button" class="danger" onClick={erase} aria-disabled={busy || undefined}>
          Erase for good
        </button>
        <button type="button" id="erase-cancel" class="secondary" onClick={() => !busy && props.onCancel()} aria-disabled={busy || undefined}>
          Cancel
        </button>
      </div>
    </div>
  )
}
