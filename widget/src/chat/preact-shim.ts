// In the chat chunk's build, `preact` and `preact/jsx-runtime` resolve to this module
// (widget/vite.config.ts): the chunk renders with the main bundle's Preact, handed over by start(),
// instead of bundling a second copy. It bundles Preact's hooks (the main bundle has none), which
// plug into that Preact through its `options`: they set them up as the chunk is evaluated, before
// start(), so `options` stands in for the main bundle's until then, and forwards to it after.
// ES module exports are live bindings: components read `jsx` at render time, after bindPreact.
// Elsewhere (tests, type checks) the chunk imports the real Preact and this module is inert.
import type { options as Options } from 'preact'
import type { jsx as J } from 'preact/jsx-runtime'

/** Exactly what the chat chunk uses from the main bundle. (No Fragment: a `<>` in the chunk fails
 * its build, missing here, until it is added.) */
export interface PreactParts {
  jsx: typeof J
  options: typeof Options
}

export let jsx: PreactParts['jsx']
export let jsxs: PreactParts['jsx']

let bound: object | undefined
const early = {}
export const options = new Proxy(early, {
  get: (target, key) => Reflect.get(bound ?? target, key),
  set: (target, key, value) => Reflect.set(bound ?? target, key, value),
}) as typeof Options

export function bindPreact(parts: PreactParts) {
  jsx = jsxs = parts.jsx
  bound = Object.assign(parts.options, early)
}
