// The extras chunk (extras.js, beside widget.js): code of the main bundle that most visitors never
// run, loaded the first time it is needed. Host pages' programmatic registrations and identities,
// Turnstile's challenge on sites that turn it on, and mapping a refused registration's error onto
// its field.
export { fieldOfServerError } from './form-checks'
export { registerGuest } from './host-api'
export { identify } from './identity'
export { mountTurnstile } from './turnstile-mount'

export type Extras = typeof import('./extras')
export type LoadExtras = () => Promise<Extras>
