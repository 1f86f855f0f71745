// Cloudflare Turnstile, on sites that turn it on (config.settings.turnstileSiteKey): for one form,
// the ref of the box its challenge renders in (turnstile-mount.ts, in the extras chunk), and reset.
// A token is good for one request: the form sends it once, then resets the challenge for a new one.
// No hooks (the main bundle has none): the form keeps the token and gives this the same `box` ref
// for as long as the site key stays, so Preact calls it when the box appears and goes.
import type { LoadExtras } from './extras'
import type { MountedTurnstile } from './turnstile-mount'

export interface Turnstile {
  /** The ref of the box (`<div class="turnstile">`): mounts the challenge in it, removes it with it. */
  box: (el: HTMLElement | null) => void
  /** After a request that spent the token: a new challenge, whose token `onToken` gets. */
  reset: () => void
}

/** `onToken` gets each token, and '' when it expires or fails. */
export function turnstile(siteKey: string, extras: LoadExtras, onToken: (token: string) => void): Turnstile {
  let mounted: Promise<MountedTurnstile | void> | undefined
  return {
    box(el) {
      if (el) mounted = extras().then((x) => x.mountTurnstile(el, siteKey, onToken)).catch(() => {})
      // Once mounted, if it is still mounting.
      else void mounted?.then((m) => m?.remove())
    },
    reset: () => void mounted?.then((m) => m?.reset()),
  }
}
