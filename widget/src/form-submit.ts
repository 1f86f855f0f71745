// The pre-chat form's submit, and the re-check of a field marked wrong as it is corrected. In the
// submit chunk, which the form fetches as it appears (components/PrechatForm.tsx keeps the form's
// state and rendering): validates, sends once, and shows the outcome.
import type { PrechatForm } from './components/PrechatForm'
import { toGuest, validate } from './form-checks'
import type { ErrorKey, Values } from './form-rules'
import { submitTexts } from './submit-texts'

function showErrors(form: PrechatForm, found: Record<string, ErrorKey>) {
  form.setState({ errors: found, status: submitTexts(form.props.widget.state).fixErrors })
  // Let the visitor land on the first field to fix.
  queueMicrotask(() => form.form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus())
}

/** A field marked wrong, checked again with its new value, so its error goes as soon as it is right. */
export function recheck(form: PrechatForm, key: string, values: Values) {
  const { [key]: _, ...rest } = form.state.errors
  const found = { ...rest, ...validate(form.fields().filter((f) => f.key === key), values) }
  form.setState(Object.keys(found).length ? { errors: found } : { errors: found, status: '' })
}

export async function submitForm(form: PrechatForm) {
  const { widget, config } = form.props
  const t = { ...form.props.t, ...submitTexts(widget.state) }
  const { values, token } = form.state
  const fields = form.fields()
  const found = validate(fields, values)
  if (Object.keys(found).length) return showErrors(form, found)
  const { turnstile } = form
  if (turnstile && !token) return form.setState({ status: t.humanCheck })
  form.sending = true
  form.setState({ busy: true, errors: {}, status: t.sending })
  const guest = toGuest(config, fields, values, widget.state.prefill)
  const result = await widget.register(guest, () => form.setState({ status: t.retrying }), turnstile ? token : undefined)
  form.sending = false
  form.setState({ busy: false })
  // On success the panel replaces the form with the known-visitor message; the host page hears of it.
  if (result.ok) return widget.emit('submit', guest)
  // A token is good for one request: a new challenge for the next.
  turnstile?.reset()
  form.setState({ token: '', unreachable: result.gaveUp })
  // The error names a field (rarely: the form checks what the server does): the extras chunk maps it there.
  const mapped = !result.gaveUp && (await widget.extras().then((x) => x.fieldOfServerError(fields, result.error, result.errorType), () => undefined))
  if (mapped) showErrors(form, mapped)
  else form.setState({ status: result.gaveUp ? t.unreachable : result.errorType == 'error-invalid-turnstile' ? t.humanCheck : result.error })
}
