// The inbox is its own chunk, fetched the first time it is opened: the sign-in screen and the
// contacts do not pay for the chat client.
import { useEffect, useState } from 'preact/hooks'
import type { InboxProps } from './inbox/types'

type Inbox = (props: InboxProps) => preact.JSX.Element
let loaded: Inbox | undefined

export function InboxLoader(props: InboxProps) {
  const [Inbox, setInbox] = useState<Inbox | undefined>(() => loaded)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    if (Inbox) return
    import('./inbox/Inbox').then(
      (module) => setInbox(() => (loaded = module.Inbox)),
      () => setFailed(true),
    )
  }, [])
  if (Inbox) return <Inbox {...props} />
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">Inbox</h1>
      {failed ? (
        <div role="alert" class="error-box">
          <p>Couldn't load the inbox. Check your connection.</p>
          <button type="button" onClick={() => location.reload()}>
            Reload
          </button>
        </div>
      ) : (
        <p role="status">Loading the inbox…</p>
      )}
    </section>
  )
}
