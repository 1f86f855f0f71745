// The pre-chat form built from the server's config. Validates with the server's rules (a field
// marked wrong is checked again as it is corrected), submits once, keeps a draft in storage, maps
// server errors back onto fields, and carries a Turnstile token when the site asks for one.
// Validating and sending are the submit chunk's (form-submit.ts), fetched as the form appears, while
// the visitor fills it in: a submit that comes first waits for it. A class: the main bundle has no hooks.
import { Component, createRef } from 'preact'
import type { LivechatConfig } from '../api-client'
import type { Submit } from '../submit'
import { customKey, formFields, type ErrorKey, type Values } from '../form-rules'
import type { Strings } from '../i18n'
import { turnstile } from '../turnstile'
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

interface Props {
  widget: Widget
  config: LivechatConfig
  t: Strings
}

interface State {
  values: Values
  errors: Record<string, ErrorKey>
  status: string
  busy: boolean
  /** The last submit gave up on an unreachable server: offer to try again, with a fresh bound. */
  unreachable?: boolean
  /** Turnstile's token, '' until solved. */
  token: string
}

export class PrechatForm extends Component<Props, State> {
  /** The submit chunk, once loaded. */
  declare x?: Submit
  /** A submit is under way (set by form-submit.ts while sending). */
  sending = false
  form = createRef<HTMLFormElement>()
  declare off: () => void
  // Turnstile for the site key of the config the form was made with (a config changes under a form
  // only by losing its room and agent, see widget.ts withoutChat).
  turnstile = this.props.config.settings?.turnstileSiteKey
    ? turnstile(this.props.config.settings.turnstileSiteKey, this.props.widget.extras, (token) => this.setState({ token }))
    : undefined
  // What the visitor typed (the draft) wins over what the host page prefilled.
  state: State = { values: { ...prefillValues(this.props.widget.state.prefill), ...this.props.widget.memory.draft() }, errors: {}, status: '', busy: false, token: '' }

  /** The fields the config asks for. */
  fields = () => formFields(this.props.config)

  componentDidMount() {
    const { widget } = this.props
    // In the commit: subscribed before anything else can run, so no prefill is missed.
    this.off = widget.on('prefill', (guest: Guest) => this.setState(({ values }) => ({ values: { ...values, ...prefillValues(guest) } })))
    widget.submit().then((x) => (this.x = x), () => {})
  }

  componentWillUnmount() {
    this.off()
  }

  change(key: string, value: string) {
    const next = { ...this.state.values, [key]: value }
    this.setState({ values: next })
    this.props.widget.memory.saveDraft(next)
    // Marked wrong, by a submit (so with the submit chunk here): checked again as it is corrected.
    if (this.state.errors[key]) this.x!.recheck(this, key, next)
  }

  submit = async (e?: Event) => {
    e?.preventDefault()
    if (this.sending) return
    this.sending = true
    const x = this.x ?? (await this.props.widget.submit().then((x) => (this.x = x), () => undefined))
    this.sending = false
    // Not loaded (offline, a deploy in between): the next submit asks again.
    if (x) void x.submitForm(this)
    else this.setState({ status: this.props.t.unavailable })
  }

  render({ widget, t }: Props, { values, errors, status, busy, unreachable }: State) {
    // The texts that follow a submit (its errors, "Try again"), with the submit's code.
    const after = this.x?.submitTexts(widget.state)
    return (
      <form ref={this.form} noValidate onSubmit={this.submit} aria-busy={busy}>
        <p class="intro">{t.intro}</p>
        {this.fields().map(({ key, required, options, label }, i) => {
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
              error={errors[key] && after![errors[key]]}
              onInput={(value) => this.change(key, value)}
            />
          )
        })}
        {this.turnstile && <div class="turnstile" ref={this.turnstile.box} />}
        <div class="actions">
          <button type="submit" class="submit" disabled={busy}>
            {t.submit}
          </button>
          <p class="status" role="status">
            {status}
          </p>
          {unreachable && after && (
            // Stays while the new attempt runs (inert), so focus is not dropped from under the visitor.
            <button type="button" class="retry" aria-disabled={busy} onClick={() => this.submit()}>
              {after.tryAgain}
            </button>
          )}
        </div>
      </form>
    )
  }
}
