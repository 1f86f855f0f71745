// The console: the sign-in screen, or (signed in) the contact list, one contact or the inbox,
// picked by the URL's hash (routes.ts). A 401 from any call ends the session and comes back here
// with a message.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { createApi, type ConfigField, type Department, type Session } from '../api'
import { canEdit, canErase, loadSession, saveSession } from '../session'
import { ContactList, type FocusTarget, type ListQuery } from './ContactList'
import { ContactView } from './ContactView'
import { InboxLoader } from './InboxLoader'
import { inboxHref, routeOf } from './routes'
import { SignIn } from './SignIn'
import { useLive } from './useLive'

export const SESSION_ENDED = 'Your session has ended. Sign in again to continue.'

/** The server's custom field definitions and departments (GET /api/v1/livechat/config), once loaded. */
export type ConfigState = { fields?: ConfigField[]; departments?: Department[]; error?: string; reload: () => void }

export function App({ origin = '' }: { origin?: string }) {
  const [session, setSession] = useState<Session | null>(loadSession)
  const [notice, setNotice] = useState('')
  // Signed in through the form just now (not a reload of a kept session): focus goes to the search.
  const [fresh, setFresh] = useState(false)
  const sessionRef = useRef(session)
  sessionRef.current = session

  const api = useMemo(
    () =>
      createApi({
        origin,
        session: () => sessionRef.current,
        onUnauthorized: () => {
          if (!sessionRef.current) return
          sessionRef.current = null
          saveSession(null)
          setSession(null)
          setFresh(false)
          setNotice(SESSION_ENDED)
        },
      }),
    [origin],
  )

  const keep = (next: Session) => {
    saveSession(next)
    sessionRef.current = next
    setSession(next)
  }
  const signedIn = (next: Session) => {
    setNotice('')
    setFresh(true)
    keep(next)
  }

  const signOut = async () => {
    // The token is forgotten whatever the server answers: the agent asked to leave.
    await api.logout()
    saveSession(null)
    sessionRef.current = null
    setSession(null)
    setFresh(false)
    setNotice('You have signed out.')
    if (location.hash) history.replaceState(null, '', location.pathname + location.search)
  }

  if (!session) return <SignIn api={api} notice={notice} onSignedIn={signedIn} />
  return <Console api={api} session={session} onSession={keep} onSignOut={signOut} focusSearch={fresh} />
}

function Console(props: {
  api: ReturnType<typeof createApi>
  session: Session
  onSession: (s: Session) => void
  onSignOut: () => Promise<void>
  focusSearch: boolean
}) {
  const { api, session } = props
  const [hash, setHash] = useState(location.hash)
  const [query, setQuery] = useState<ListQuery>({ term: '', offset: 0 })
  const [flash, setFlash] = useState('')
  const [config, setConfig] = useState<Omit<ConfigState, 'reload'>>({})
  const [configLoads, setConfigLoads] = useState(0)
  const [signingOut, setSigningOut] = useState(false)
  // Where focus goes when the list next shows: the search box after signing in, the contact
  // last opened when coming back from it. Taken once.
  const pendingFocus = useRef<FocusTarget | undefined>(props.focusSearch ? { search: true } : undefined)
  const live = useLive(api, session)

  useEffect(() => {
    const onHash = () => setHash(location.hash)
    addEventListener('hashchange', onHash)
    return () => removeEventListener('hashchange', onHash)
  }, [])

  // Roles may have changed since this tab signed in; a revoked or expired token ends the session here.
  useEffect(() => {
    void api.me().then((r) => {
      if (r.ok) props.onSession({ ...session, me: { _id: r.data._id, username: r.data.username, name: r.data.name, roles: r.data.roles } })
    })
  }, [])

  useEffect(() => {
    const abort = new AbortController()
    setConfig({})
    void api.config(abort.signal).then((r) => {
      if (abort.signal.aborted) return
      setConfig(r.ok ? { fields: r.data.config?.customFields ?? [], departments: r.data.config?.departments ?? [] } : { error: r.error })
    })
    return () => abort.abort()
  }, [configLoads])
  const configState: ConfigState = { ...config, reload: () => setConfigLoads((n) => n + 1) }

  const route = routeOf(hash)
  const contactId = route.view === 'contact' ? route.id : undefined
  // A message about the list ("… was erased.") is for the one visit it follows.
  useEffect(() => {
    if (contactId) setFlash('')
  }, [contactId])
  if (contactId) pendingFocus.current = { contact: contactId }
  const backToList = (message = '') => {
    setFlash(message)
    location.hash = '#/'
  }

  const signOut = async () => {
    setSigningOut(true)
    await props.onSignOut()
  }

  return (
    <>
      <header class="top">
        <p class="brand">Agent console</p>
        <nav aria-label="Views" class="views">
          <a href="#/" aria-current={route.view === 'inbox' ? undefined : 'page'}>Contacts</a>
          <a href={inboxHref()} aria-current={route.view === 'inbox' ? 'page' : undefined}>Inbox</a>
        </nav>
        <p class="who">
          Signed in as <strong>{session.me.name || session.me.username}</strong>
        </p>
        <button type="button" class="secondary" onClick={signOut} aria-disabled={signingOut || undefined}>
          {signingOut ? 'Signing out…' : 'Sign out'}
        </button>
      </header>
      <main id="main">
        {route.view === 'inbox' ? (
          <InboxLoader api={api} session={session} rid={route.rid} ddp={live} />
        ) : contactId ? (
          <ContactView
            key={contactId}
            api={api}
            id={contactId}
            config={configState}
            canEdit={canEdit(session)}
            canErase={canErase(session)}
            onErased={(name) => backToList(`${name} was erased.`)}
          />
        ) : (
          <ContactList
            api={api}
            query={query}
            onQuery={setQuery}
            config={configState}
            flash={flash}
            live={live}
            takeFocus={() => {
              const target = pendingFocus.current
              pendingFocus.current = undefined
              return target
            }}
          />
        )}
      </main>
    </>
  )
}
