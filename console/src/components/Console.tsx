// The signed-in console: the header (views, who is signed in, Sign out) and the contact list, one
// contact or the inbox, picked by the URL's hash (routes.ts).
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Api, ConfigField, Department, Session } from '../api'
import { canEdit, canErase } from '../session'
import { ContactList, type FocusTarget, type ListQuery } from './ContactList'
import { ContactLoader } from './ContactLoader'
import { InboxLoader } from './InboxLoader'
import { inboxHref, routeOf } from './routes'
import { useLive } from './useLive'

/** The server's custom field definitions and departments (GET /api/v1/livechat/config), once loaded. */
export type ConfigState = { fields?: ConfigField[]; departments?: Department[]; error?: string; reload: () => void }

export function Console(props: {
  api: Api
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
          <ContactLoader
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
