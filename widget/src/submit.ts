// The submit chunk (submit.js, beside widget.js): what runs from the pre-chat form's submit on,
// which the form fetches as it appears, while the visitor fills it in (a submit that comes first
// waits for it). Validating and sending the form, showing its outcome in the visitor's language,
// and every registration (the form's, the host page's, a known visitor's updates).
export { recheck, submitForm } from './form-submit'
export { register } from './register'
export { submitTexts } from './submit-texts'

export type Submit = typeof import('./submit')
export type LoadSubmit = () => Promise<Submit>
