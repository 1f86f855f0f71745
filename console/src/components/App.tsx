// The console: the sign-in screen, or (signed in) the console proper (Console.tsx). A 401 from
// any call ends the session and comes back here with a message.
import { useMemo, useRef, useState } from 'preact/hooks'
import { createApi, type Session } from '../api'
import { loadSession, saveSession } from '../session'
import { Console } from './Console'
import { SignIn } from './SignIn'

export const SESSION_ENDED = 'Your session has ended. Sign in again to continue.'

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
