// Cloudflare Turnstile, on sites that turn it on (config.settings.turnstileSiteKey): a box in the
// form where its challenge renders (turnstile-mount.ts, in the extras chunk), and the token it gives.
// A token is good for one request: the form sends it once, then resets the challenge for a new one.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { LoadExtras } from './extras'
import type { MountedTurnstile } from './turnstile-mount'

/** The box to render, the token to send (undefined without Turnstile, '' until solved), and reset. */
export function useTurnstile(siteKey: string | undefined, extras: LoadExtras) {
  const box = useRef<HTMLDivElement>(null)
  const mounted = useRef<MountedTurnstile>(undefined)
  const [token, setToken] = useState('')
  useEffect(() => {
    if (!siteKey) return
    let gone = false
    extras()
      .then((x) => x.mountTurnstile(box.current!, siteKey, setToken))
      .then((m) => (gone ? m.remove() : (mounted.current = m)), () => {})
    return () => {
      gone = true
      mounted.current?.remove()
    }
  }, [siteKey])
  return {
    element: siteKey && <div class="turnstile" ref={box} />,
    token: siteKey ? token : undefined,
    reset() {
      setToken('')
      mounted.current?.reset()
    },
  }
}
