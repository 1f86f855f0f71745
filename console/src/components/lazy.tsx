// A view in a chunk of its own, fetched the first time it is shown, so the first screen (sign-in,
// the contact list) does not pay for it. Until the chunk has come, its placeholder shows: a
// loading status, or a way out if the fetch failed.
import type { ComponentType } from 'preact'
import { useEffect, useState } from 'preact/hooks'

export function lazy<P extends object>(load: () => Promise<ComponentType<P>>, Placeholder: ComponentType<{ failed: boolean }>) {
  let loaded: ComponentType<P> | undefined
  return function Lazy(props: P) {
    const [View, setView] = useState(() => loaded)
    const [failed, setFailed] = useState(false)
    useEffect(() => {
      if (View) return
      load().then(
        (view) => setView(() => (loaded = view)),
        () => setFailed(true),
      )
    }, [])
    return View ? <View {...props} /> : <Placeholder failed={failed} />
  }
}

/** A placeholder's body: the loading status, or (the chunk could not be fetched) an alert with a way to try again. */
export function Loading({ failed, what }: { failed: boolean; what: string }) {
  return failed ? (
    <div role="alert" class="error-box">
      <p>Couldn't load {what}. Check your connection.</p>
      <button type="button" onClick={() => location.reload()}>
        Reload
      </button>
    </div>
  ) : (
    <p role="status">Loading {what}…</p>
  )
}
