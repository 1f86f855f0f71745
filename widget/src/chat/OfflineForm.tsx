// No agent online: a message for later (POST livechat/offline.message), with the pre-chat form's
// look, labels and error strings, its errors going as fields are corrected, its Turnstile, and its
// consent box (the offline message stores a contact too, so the Worker asks for the same consent).
import { useMemo, useState } from 'preact/hooks'
import type { LivechatConfig } from '../api-client'
import { Field } from '../components/Field'
import type { LoadExtras } from '../extras'
import type { SubmitTexts } from '../../../shared/widget-texts'
import type { Strings } from '../i18n'
import type { OfflineMessage } from '../host-api'
import { turnstile as createTurnstile } from '../turnstile'
import type { ChatSession } from './session'
import type { ChatStrings } from './strings'

const FIELDS = ['name', 'email', 'message'] as const

/** The message, and the consent box: 'on' when ticked, '' when not. */
type Values = OfflineMessage & { consent: string }
type Key = keyof Values
type Errors = Partial<Record<Key, string>>

/** What is wrong with `keys` of `values`. */
function check(values: Values, t: Strings & SubmitTexts, keys: readonly Key[]): Errors {
  const found: Errors = {}
  for (const key of keys) if (!values[key].trim()) found[key] = t.required
  if (keys.includes('email') && !found.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email.trim())) found.email = t.invalidEmail
  return found
}

export function OfflineForm(props: { session: ChatSession; c: ChatStrings; t: Strings & SubmitTexts; sent: boolean; config?: LivechatConfig; extras: LoadExtras }) {
  const { session, c, t, sent, config } = props
  const consent = config?.settings?.forceAcceptDataProcessingConsent
  const keys: readonly Key[] = consent ? [...FIELDS, 'consent'] : FIELDS
  const [values, setValues] = useState<Values>({ name: '', email: '', message: '', consent: '' })
  const [errors, setErrors] = useState<Errors>({})
  const [status, setStatus] = useState('')
  const [busy, setBusy] = useState(false)
  const [token, setToken] = useState('')
  const siteKey = config?.settings?.turnstileSiteKey
  const turnstile = useMemo(() => siteKey && createTurnstile(siteKey, props.extras, setToken), [siteKey])

  if (sent)
    return (
      <p class="known" role="status">
        {c.offlineSent}
      </p>
    )

  const submit = async (e: Event) => {
    e.preventDefault()
    if (busy) return
    const found = check(values, t, keys)
    setErrors(found)
    if (Object.keys(found).length) return setStatus(t.fixErrors)
    if (turnstile && !token) return setStatus(t.humanCheck)
    setBusy(true)
    setStatus(t.sending)
    const res = await session.sendOffline({ name: values.name.trim(), email: values.email.trim(), message: values.message }, turnstile ? token : undefined, consent)
    setBusy(false)
    if (res.ok) return
    setToken('')
    if (turnstile) turnstile.reset()
    const { errorType } = res
    setStatus(res.gaveUp ? t.unreachable : errorType === 'error-invalid-email' ? t.invalidEmail : errorType === 'error-invalid-turnstile' ? t.humanCheck : res.error)
  }

  const change = (key: Key, value: string) => {
    const next = { ...values, [key]: value }
    setValues(next)
    if (!errors[key]) return
    // Marked wrong: checked again as it is corrected, so its error goes as soon as it is right.
    const { [key]: _, ...rest } = errors
    const found = { ...rest, ...check(next, t, [key]) }
    setErrors(found)
    if (!Object.keys(found).length) setStatus('')
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
              onInput={(e) => change(key, (e.currentTarget as HTMLInputElement).value)}
            />
            {errors[key] && (
              <p id={`${id}-error`} class="error">
                {errors[key]}
              </p>
            )}
          </div>
        )
      })}
      {consent && (
        <Field
          id="ecc-o-consent"
          type="checkbox"
          label={config!.messages?.dataProcessingConsentText ?? ''}
          required
          value={values.consent}
          readOnly={busy}
          error={errors.consent}
          onInput={(value) => change('consent', value)}
        />
      )}
      {turnstile && <div class="turnstile" ref={turnstile.box} />}
      <div class="actions">
        <button type="submit" class="submit" disabled={busy}>
          {c.sendMessage}
        </button>
        <p class="status" role="status">
          {status}
        </p>
      </div>
    </form>
  )
}
