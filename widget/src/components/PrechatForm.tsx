// The pre-chat form built from the server's config. Validates with the server's rules (a field
// marked wrong is checked again as it is corrected), submits once, keeps a draft in storage, maps
// server errors back onto fields, and carries a Turnstile token when the site asks for one.
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { LivechatConfig } from '../api-client'
import { customKey, formFields, toGuest, validate, type ErrorKey, type Values } from '../form-rules'
import type { Strings } from '../i18n'
import { useTurnstile } from '../turnstile'
import type { Guest, Widget } from '../widget'
import { Field, type FieldProps } from './Field'

const INPUTS: Record<string, { type: FieldProps['type']; autocomplete?: string }> = {
  name: { type: 'text', autocomplete: 'name' },
  email: { type: 'email', autocomplete: 'email' },
  phone: { type: 'tel', autocomplete: 'tel' },
  consent: { type: 'checkbox' },
}

/** Form values for data the host page set (setGuestName, setCustomField…); a key set to undefined (clearDepartment) empties its field. */
function prefillValues(guest: Guest): Values {
  const values: Values = {}
  for (const key of ['name', 'email', 'phone', 'department'] as const) if (key in guest) values[key] = guest[key] ?? ''
  for (const [id, field] of Object.entries(guest.customFields ?? {})) values[customKey(id)] = field.value
  return values
}

export function PrechatForm({ widget, config, t }: { widget: Widget; config: LivechatConfig; t: Strings }) {
  const fields = useMemo(() => formFields(config), [config])
  // What the visitor typed (the draft) wins over what the host page prefilled.
  const [values, setValues] = useState<Values>(() => ({ ...prefillValues(widget.state.prefill), ...widget.memory.draft() }))
  const [errors, setErrors] = useState<Record<string, ErrorKey>>({})
  const [status, setStatus] = useState('')
  const [busy, setBusy] = useState(false)
  // The last submit gave up on an unreachable server: offer to try again, with a fresh bound.
  const [unreachable, setUnreachable] = useState(false)
  const sending = useRef(false)
  const form = useRef<HTMLFormElement>(null)
  const turnstile = useTurnstile(config.settings?.turnstileSiteKey, widget.extras)

  // Layout effect: subscribed before anything else can run, so no prefill is missed.
  useLayoutEffect(() => widget.on('prefill', (guest: Guest) => setValues((v) => ({ ...v, ...prefillValues(guest) }))), [])

  const change = (key: string, value: string) => {
    const next = { ...values, [key]: value }
    setValues(next)
    widget.memory.saveDraft(next)
    if (!errors[key]) return
    // Marked wrong: checked again as it is corrected, so its error goes as soon as it is right.
    const { [key]: _, ...rest } = errors
    const found = { ...rest, ...validate(fields.filter((f) => f.key === key), next) }
    setErrors(found)
    if (!Object.keys(found).length) setStatus('')
  }

  const showErrors = (found: Record<string, ErrorKey>) => {
    setErrors(found)
    setStatus(t.fixErrors)
    // Let the visitor land on the first field to fix.
    queueMicrotask(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus())
  }

  const submit = async (e?: Event) => {
    e?.preventDefault()
    if (sending.current) return
    const found = validate(fields, values)
    if (Object.keys(found).length) return showErrors(found)
    const { token } = turnstile
    if (token === '') return setStatus(t.humanCheck)
    sending.current = true
    setBusy(true)
    setErrors({})
    setStatus(t.sending)
    const result = await widget.submitForm(toGuest(config, fields, values, widget.state.prefill), () => setStatus(t.retrying), token)
    sending.current = false
    setBusy(false)
    // On success the panel replaces this form with the known-visitor message.
    if (result.ok) return
    turnstile.reset()
    setUnreachable(!!result.gaveUp)
    const mapped = !result.gaveUp && (await widget.extras().then((x) => x.fieldOfServerError(fields, result.error, result.errorType), () => undefined))
    if (mapped) showErrors(mapped)
    else setStatus(result.gaveUp ? t.unreachable : result.errorType == 'error-invalid-turnstile' ? t.humanCheck : result.error)
  }

  return (
    <form ref={form} noValidate onSubmit={submit} aria-busy={busy}>
      <p class="intro">{t.intro}</p>
      {fields.map(({ key, required, options, label }, i) => {
        const input = INPUTS[key]
        return (
          <Field
            key={key}
            id={`ecc-f${i}`}
            label={label ?? t[key as 'name' | 'email' | 'phone' | 'department']}
            optionalText={required ? undefined : t.optional}
            type={input?.type}
            autocomplete={input?.autocomplete}
            required={required}
            options={options}
            placeholder={t.choose}
            value={values[key] ?? ''}
            readOnly={busy}
            error={errors[key] && t[errors[key]]}
            onInput={(value) => change(key, value)}
          />
        )
      })}
      {turnstile.element}
      <div class="actions">
        <button type="submit" class="submit" disabled={busy}>
          {t.submit}
        </button>
        <p class="status" role="status">
          {status}
        </p>
        {unreachable && (
          // Stays while the new attempt runs (inert), so focus is not dropped from under the visitor.
          <button type="button" class="retry" aria-disabled={busy} onClick={() => submit()}>
            {t.tryAgain}
          </button>
        )}
      </div>
    </form>
  )
}
