// No agent online: a message for later (POST livechat/offline.message), with the pre-chat form's
// look, labels and error strings.
import { useState } from 'preact/hooks'
import type { Strings } from '../i18n'
import type { OfflineMessage } from '../host-api'
import type { ChatSession } from './session'
import type { ChatStrings } from './strings'

const FIELDS = ['name', 'email', 'message'] as const

export function OfflineForm({ session, c, t, sent }: { session: ChatSession; c: ChatStrings; t: Strings; sent: boolean }) {
  const [values, setValues] = useState<OfflineMessage>({ name: '', email: '', message: '' })
  const [errors, setErrors] = useState<Partial<Record<keyof OfflineMessage, string>>>({})
  const [status, setStatus] = useState('')
  const [busy, setBusy] = useState(false)

  if (sent)
    return (
      <p class="known" role="status">
        {c.offlineSent}
      </p>
    )

  const submit = async (e: Event) => {
    e.preventDefault()
    if (busy) return
    const found: typeof errors = {}
    for (const key of FIELDS) if (!values[key].trim()) found[key] = t.required
    if (!found.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email.trim())) found.email = t.invalidEmail
    setErrors(found)
    if (Object.keys(found).length) return setStatus(t.fixErrors)
    setBusy(true)
    setStatus(t.sending)
    const res = await session.sendOffline({ name: values.name.trim(), email: values.email.trim(), message: values.message })
    setBusy(false)
    if (!res.ok) setStatus(res.gaveUp ? t.unreachable : res.errorType === 'error-invalid-email' ? t.invalidEmail : res.error)
  }

  return (
    <form noValidate onSubmit={submit} aria-busy={busy}>
      <p class="intro">{c.offlineIntro}</p>
      {FIELDS.map((key) => {
        const id = `ecc-o-${key}`
        // One element type per field; preact's typings cannot take the union.
        const Input = (key === 'message' ? 'textarea' : 'input') as 'input'
        return (
          <div class="field" key={key}>
            <label for={id}>{key === 'message' ? c.message : t[key]}</label>
            <Input
              id={id}
              type={(key === 'email' ? 'email' : 'text') as 'text'}
              autocomplete={key === 'message' ? undefined : key}
              required
              readOnly={busy}
              value={values[key]}
              aria-invalid={errors[key] ? 'true' : undefined}
              aria-describedby={errors[key] ? `${id}-error` : undefined}
              onInput={(e) => setValues({ ...values, [key]: (e.currentTarget as HTMLInputElement).value })}
            />
            {errors[key] && (
              <p id={`${id}-error`} class="error">
                {errors[key]}
              </p>
            )}
          </div>
        )
      })}
      <button type="submit" class="submit" disabled={busy}>
        {c.sendMessage}
      </button>
      <p class="status" role="status">
        {status}
      </p>
    </form>
  )
}
