// In the chat chunk's build, `preact`, `preact/hooks` and `preact/jsx-runtime` resolve to this
// module (widget/vite.config.ts): the chunk renders with the main bundle's Preact, handed over by
// start(), instead of bundling a second copy (two copies would not even share hooks state).
// ES module exports are live bindings: components read these at render time, after bindPreact.
// Elsewhere (tests, type checks) the chunk imports the real Preact and this module is inert.
import type { jsx as J } from 'preact/jsx-runtime'
import type * as Hooks from 'preact/hooks'

/** Exactly what the chat chunk uses; the main bundle already contains each of them. (No
 * Fragment: a `<>` in the chunk fails its build, missing here, until it is added.) */
export interface PreactParts {
  jsx: typeof J
  useState: typeof Hooks.useState
  useEffect: typeof Hooks.useEffect
  useLayoutEffect: typeof Hooks.useLayoutEffect
  useRef: typeof Hooks.useRef
}

export let jsx: PreactParts['jsx']
export let jsxs: PreactParts['jsx']
export let useState: PreactParts['useState']
export let useEffect: PreactParts['useEffect']
export let useLayoutEffect: PreactParts['useLayoutEffect']
export let useRef: PreactParts['useRef']

export function bindPreact(parts: PreactParts) {
  ;({ jsx, useState, useEffect, useLayoutEffect, useRef } = parts)
  jsxs = jsx
}
