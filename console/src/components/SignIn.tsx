// Username and password through POST /api/v1/login. A wrong password and an unknown user get the
// same message, as the server answers them alike; a 429 says how long to wait.
import { useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { Api, Session } from '../api'
import { Announce, useTitle } from './Announce'

const minutes = (seconds: number) => Math.max(1, Math.ceil(seconds / 60))

export function SignIn(props: { api: Api; notice: string; onSignedIn: (session: Session) => void }) {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const user = useRef<HTMLInputElement>(null)
  const pass = useRef<HTMLInputElement>(null)
  useTitle('Sign in')

  // Sent back here by a 401 or a sign-out: ready to type again.
  useLayoutEffect(() => {
    if (props.notice) user.current?.focus()
  }, [])

  const submit = async (e: Event) => {
    e.preventDefault()
    if (busy) return
    if (!username.trim() || !password) {
      setError('Enter your username and password.')
      ;(username.trim() ? pass : user).current?.focus()
      return
    }
    setBusy(true)
    setError('')
    const r = await props.api.login(username.trim(), password)
    if (r.ok && r.data.data?.authToken) return props.onSignedIn(r.data.data)
    setBusy(false)
    setPassword('')
    if (!r.ok && r.status === 401) setError('Wrong username or password.')
    else if (!r.ok && r.status === 429)
      setError(`Too many failed sign-ins. Try again in ${r.retryAfterS ? `${minutes(r.retryAfterS)} minute${minutes(r.retryAfterS) > 1 ? 's' : ''}` : 'a few minutes'}.`)
    else setError(r.ok ? 'The server gave an unexpected answer.' : r.error)
    pass.current?.focus()
  }

  return (
    <main id="main" class="signin">
      <h1>Agent console</h1>
      <p class="intro">Sign in to find, correct, export and erase contacts.</p>
      <Announce text={props.notice} class="flash" />
      <form noValidate onSubmit={submit} aria-busy={busy || undefined}>
        <div class="field">
          <label for="username">Username</label>
          <input
            id="username"
            ref={user}
            name="username"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            required
            value={username}
            readOnly={busy}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            id="password"
            ref={pass}
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            readOnly={busy}
            aria-describedby={error ? 'signin-error' : undefined}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        {error && (
          <p id="signin-error" role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" class="wide" aria-disabled={busy || undefined}>
          Sign in
        </button>
        <p role="status" class="status">
          {busy ? 'Signing in…' : ''}
        </p>
      </form>
    </main>
  )
}
