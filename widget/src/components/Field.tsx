// One labelled form control: a text-like input, a checkbox, or, when there are options, a select.
// Its error is linked with aria-describedby so screen readers read it with the field.
export interface FieldProps {
  id: string
  label: string
  optionalText?: string
  type?: 'text' | 'email' | 'tel' | 'checkbox'
  autocomplete?: string
  required: boolean
  options?: { value: string; label: string }[]
  placeholder?: string
  /** A checkbox's is 'on' when ticked, '' when not. */
  value: string
  /** While the form is being sent: the value shown must stay the value sent. */
  readOnly: boolean
  error?: string
  onInput: (value: string) => void
}

export function Field(props: FieldProps) {
  const { id, error, options, type = 'text' } = props
  const errorId = `${id}-error`
  const checkbox = type == 'checkbox'
  const common = {
    id,
    value: props.value,
    required: props.required,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': error ? errorId : undefined,
    onInput: (e: Event) => {
      const input = e.currentTarget as HTMLInputElement
      props.onInput(checkbox ? (input.checked ? 'on' : '') : input.value)
    },
  }
  return (
    <div class={checkbox ? 'field check' : 'field'}>
      <label for={id}>
        {props.label}
        {props.optionalText && <span class="optional"> {props.optionalText}</span>}
      </label>
      {options ? (
        // A select cannot be read-only, only disabled.
        <select {...common} disabled={props.readOnly}>
          <option value="">{props.placeholder}</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      ) : (
        // Preact's input typings discriminate on a literal `type`; ours is a union of text-like ones
        // and checkbox (`checked` means nothing to the others). Neither can a checkbox be read-only:
        // it is disabled while sending.
        <input
          {...common}
          type={type as 'text'}
          checked={!!props.value}
          autocomplete={props.autocomplete}
          readOnly={props.readOnly}
          disabled={checkbox && props.readOnly}
        />
      )}
      {error && (
        <p id={errorId} class="error">
          {error}
        </p>
      )}
    </div>
  )
}
