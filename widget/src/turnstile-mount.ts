// Cloudflare Turnstile's challenge in a form (see turnstile.tsx): Cloudflare's script, added to the
// host page the first time a form needs it, renders into the form's box. Part of the extras chunk.

const SCRIPT = 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit'

/** The part of Cloudflare's `window.turnstile` the forms use. */
interface TurnstileApi {
  render(container: HTMLElement, options: object): string | null | undefined
  reset(id: string): void
  remove(id: string): void
}

declare global {
  interface Window {
    turnstile?: TurnstileApi
  }
}

let script: Promise<unknown> | undefined

/** Cloudflare's script, loaded once; a failed load is tried again by the next form. */
const loadScript = () =>
  (script ??= new Promise((ok, fail) => {
    const tag = document.createElement('script')
    tag.src = SCRIPT
    tag.onload = ok
    tag.onerror = () => {
      script = undefined
      tag.remove()
      fail()
    }
    document.head.append(tag)
  }))

export interface MountedTurnstile {
  reset(): void
  remove(): void
}

/** Renders the challenge into `box`; `onToken` gets each token, and '' when it expires or fails. */
export async function mountTurnstile(box: HTMLElement, siteKey: string, onToken: (token: string) => void): Promise<MountedTurnstile> {
  await loadScript()
  const api = window.turnstile!
  const clear = () => onToken('')
  const id = api.render(box, { sitekey: siteKey, callback: onToken, 'expired-callback': clear, 'error-callback': clear, 'response-field': false })
  if (!id) throw new Error('Turnstile did not render')
  return { reset: () => api.reset(id), remove: () => api.remove(id) }
}
