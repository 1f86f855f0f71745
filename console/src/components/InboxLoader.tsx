// The inbox is its own chunk, fetched the first time it is opened: the sign-in screen and the
// contacts do not pay for the chat client.
import { useTitle } from './Announce'
import { lazy, Loading } from './lazy'

export const InboxLoader = lazy(
  () => import('./inbox/Inbox').then((module) => module.Inbox),
  ({ failed }) => {
    useTitle('Inbox')
    return (
      <section aria-labelledby="inbox-title">
        <h1 id="inbox-title">Inbox</h1>
        <Loading failed={failed} what="the inbox" />
      </section>
    )
  },
)
