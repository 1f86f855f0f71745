// Editing a contact: name, email, phone and the server's custom fields, validated with the
// server's rules, saved by id through POST /api/v1/omnichannel/contacts.update (never by token:
// tokens may be hidden from agents, and an update cannot bring an erased contact back).
import { useMemo, useRef, useState } from 'preact/hooks'
import type { Api, Visitor } from '../api'
import { fieldOfServerError, formFields, initialValues, toContactUpdate, validate, type Errors, type FormField, type Values } from '../contact-form'
import type { ConfigState } from './Console'

export function ContactForm(props: {
  api: Api
  visitor: Visitor
  config: ConfigState
  onSaved: (visitor: Visitor) => void
  onCancel: () => void
}) {
  const { config } = props
  if (!config.fields) {
    return (
      <div id="edit-form" class={config.error ? 'error-box' : undefined} role={config.error ? 'alert' : 'status'}>
        {config.error ? (
          <>
            <p>Couldn't load the form's fields: {config.error}</p>
            <div class="actions">
              <button type="button" onClick={config.reload}>
                Try again
              </button>
              <button type="button" class="secondary" onClick={props.onCancel}>
                Cancel
              </button>
            </div>
          </>
        ) : (
          <p>Loading the form…</p>
        )}
      </div>
    )
  }
  return <Form {...props} fields={config.fields} />
}

const ERASED = 'This contact was erased or no longer exists. Nothing was saved.'

function Form(props: Parameters<typeof ContactForm>[0] & { fields: NonNullable<ConfigState['fields']> }) {
  const { api, visitor } = props
  const fields = useMemo(() => formFields(props.fields), [props.fields])
  // What the form first showed: only fields changed from it are sent.
  const [initial] = useState(() => initialValues(visitor, props.fields))
  const [values, setValues] = useState<Values>(initial)
  const [errors, setErrors] = useState<Errors>({})
  const [problem, setProblem] = useState('')
  const [busy, setBusy] = useState(false)
  const form = useRef<HTMLFormElement>(null)
  const extraEmails = (visitor.visitorEmails?.length ?? 0) > 1
  const extraPhones = (visitor.phone?.length ?? 0) > 1

  const showErrors = (found: Errors) => {
    setErrors(found)
    queueMicrotask(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus())
  }

  const submit = async (e: Event) => {
    e.preventDefault()
    if (busy) return
    setProblem('')
    const found = validate(fields, values)
    if (Object.keys(found).length) return showErrors(found)
    setErrors({})
    setBusy(true)
    const r = await api.update(toContactUpdate(visitor._id, fields, initial, values))
    if (!r.ok) {
      setBusy(false)
      // The typed values stay in the form, so nothing the agent wrote is lost either.
      if (r.errorType === 'error-contact-not-found') return setProblem(ERASED)
      const mapped = r.status === 400 && fieldOfServerError(fields, r.error, r.errorType)
      if (mapped) return showErrors(mapped)
      setProblem(`Couldn't save: ${r.error}`)
      return
    }
    props.onSaved(r.data.contact)
  }

  return (
    <form id="edit-form" ref={form} noValidate onSubmit={submit} aria-busy={busy || undefined} aria-labelledby="edit-title">
      <h2 id="edit-title">Edit contact</h2>
      {fields.map((field) => (
        <FieldInput
          key={field.key}
          field={field}
          value={values[field.key] ?? ''}
          error={errors[field.key]}
          readOnly={busy}
          onInput={(value) => setValues((v) => ({ ...v, [field.key]: value }))}
        />
      ))}
      {(extraEmails || extraPhones) && <p class="hint">Changing the email or phone keeps only the one shown here.</p>}
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      <div class="actions">
        <button type="submit" aria-disabled={busy || undefined}>
          Save
        </button>
        <button type="button" class="secondary" onClick={() => !busy && props.onCancel()} aria-disabled={busy || undefined}>
          Cancel
        </button>
      </div>
      <p role="status" class="status">
        {busy ? 'Saving…' : ''}
      </p>
    </form>
  )
}

function FieldInput(props: { field: FormField; value: string; error?: string; readOnly: boolean; onInput: (value: string) => void }) {
  const { field, error } = props
  const id = `field-${field.key.replace(/[^\w-]/g, '_')}`
  const common = {
    id,
    value: props.value,
    required: field.required,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': error ? `${id}-error` : undefined,
    onInput: (e: Event) => props.onInput((e.currentTarget as HTMLInputElement).value),
  }
  return (
    <div class="field">
      <label for={id}>
        {field.label}
        {!field.required && <span class="optional"> (optional)</span>}
      </label>
      {field.options ? (
        <select {...common} disabled={props.readOnly}>
          <option value="">Not set</option>
          {/* A stored value the options no longer list stays selectable, so opening the form changes nothing. */}
          {(field.options.includes(props.value) || !props.value ? field.options : [props.value, ...field.options]).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : (
        <input {...common} type={field.type as 'text'} autocomplete={field.autocomplete ?? 'off'} readOnly={props.readOnly} />
      )}
      {error && (
        <p id={`${id}-error`} class="error">
          {error}
        </p>
      )}
    </div>
  )
}
