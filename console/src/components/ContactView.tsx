// One contact: every field the API returns, livechatData included; Edit turns the fields into
// a form; Erase (managers and admins) asks for confirmation, then erases for good. A chunk of its
// own (ContactLoader.tsx).
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { Api, Visitor } from '../api'
import { customColumns, displayName, emailsOf, formatDate, phonesOf, webUrl } from '../contact'
import { useTitle } from './Announce'
import type { ConfigState } from './Console'
import { ContactForm } from './ContactForm'
import { ContactFrame, ContactLoading } from './ContactFrame'
import { EraseConfirm } from './EraseConfirm'

type Load = { state: 'loading' } | { state: 'done'; visitor: Visitor } | { state: 'error'; error: string; missing: boolean }
type Mode = 'view' | 'edit' | 'erase'

// Shown in their own rows; any other top-level field the API returns is listed after them.
const KNOWN = new Set(['_id', 'username', 'token', 'ts', '_updatedAt', 'status', 'name', 'phone', 'visitorEmails', 'department', 'livechatData', 'verified', 'consent', 'sourcePage'])

export function ContactView(props: { api: Api; id: string; config: ConfigState; canEdit: boolean; canErase: boolean; onErased: (name: string) => void }) {
  const { api, id } = props
  const [load, setLoad] = useState<Load>({ state: 'loading' })
  const [attempt, setAttempt] = useState(0)
  const [mode, setMode] = useState<Mode>('view')
  const [status, setStatus] = useState('')
  const heading = useRef<HTMLHeadingElement>(null)
  const editButton = useRef<HTMLButtonElement>(null)
  const eraseButton = useRef<HTMLButtonElement>(null)
  // Where focus goes once the next render is committed.
  const focusNext = useRef<(() => HTMLElement | null) | undefined>(undefined)
  useTitle(load.state === 'done' ? displayName(load.visitor) : 'Contact')

  useLayoutEffect(() => {
    const target = focusNext.current?.()
    if (target) {
      focusNext.current = undefined
      target.focus()
    }
  })

  useEffect(() => {
    const abort = new AbortController()
    void api.info(id, abort.signal).then((r) => {
      if (abort.signal.aborted) return
      // Arrived here (the link that was clicked is gone): the heading names where the agent is.
      const idle = !document.activeElement || document.activeElement === document.body
      if (idle) focusNext.current = () => heading.current
      setLoad(r.ok ? { state: 'done', visitor: r.data.visitor } : { state: 'error', error: r.error, missing: r.errorType === 'visitor-not-found' || /not.found/i.test(r.error) })
    })
    return () => abort.abort()
  }, [id, attempt])

  if (load.state === 'loading') return <ContactLoading failed={false} />
  if (load.state === 'error') {
    return (
      <ContactFrame title={load.missing ? 'Contact not found' : 'Contact'} heading={heading}>
        <div role="alert" class="error-box">
          <p>{load.missing ? 'This contact does not exist, or it was erased.' : `Couldn't load this contact: ${load.error}`}</p>
          {!load.missing && (
            <button type="button" onClick={() => (setLoad({ state: 'loading' }), setAttempt((n) => n + 1))}>
              Try again
            </button>
          )}
        </div>
      </ContactFrame>
    )
  }

  const visitor = load.visitor
  const name = displayName(visitor)

  // contacts.update answers with the contact as stored now: no read-back needed.
  const saved = (next: Visitor) => {
    setLoad({ state: 'done', visitor: next })
    setStatus('Changes saved.')
    setMode('view')
    focusNext.current = () => editButton.current
  }

  return (
    <ContactFrame title={name} heading={heading}>
      <p role="status" class="status">
        {status}
      </p>
      {mode === 'edit' ? (
        <ContactForm
          api={api}
          visitor={visitor}
          config={props.config}
          onSaved={saved}
          onCancel={() => {
            setMode('view')
            focusNext.current = () => editButton.current
          }}
        />
      ) : (
        <>
          <div class="actions">
            {props.canEdit && (
              <button
                type="button"
                ref={editButton}
                onClick={() => {
                  setStatus('')
                  setMode('edit')
                  focusNext.current = () => document.querySelector<HTMLElement>('#edit-form input, #edit-form select')
                }}
              >
                Edit
              </button>
            )}
            {props.canErase && mode === 'view' && (
              <button
                type="button"
                class="danger"
                ref={eraseButton}
                onClick={() => {
                  setStatus('')
                  setMode('erase')
                  focusNext.current = () => document.getElementById('erase-cancel')
                }}
              >
                Erase
              </button>
            )}
          </div>
          {mode === 'erase' && (
            <EraseConfirm
              api={api}
              visitor={visitor}
              onErased={() => props.onErased(name)}
              onCancel={() => {
                setMode('view')
                focusNext.current = () => eraseButton.current
              }}
            />
          )}
          <Fields visitor={visitor} config={props.config} />
        </>
      )}
    </ContactFrame>
  )
}

const NOT_SET = <span class="unset">Not set</span>

/** "Support (support)": the name the server gives the department, and its id. */
function departmentName(id: string, config: ConfigState): string {
  const name = config.departments?.find((d) => d._id === id)?.name
  return name && name !== id ? `${name} (${id})` : id
}

function Row({ label, children }: { label: string; children: preact.ComponentChildren }) {
  const empty = children === undefined || children === '' || (Array.isArray(children) && children.length === 0)
  return (
    <div class="row">
      <dt>{label}</dt>
      <dd>{empty ? NOT_SET : children}</dd>
    </div>
  )
}

/** The page the contact registered on: a link only to an http(s) URL, opened without telling it
 * where the agent came from. */
function SourcePage({ url, title }: { url: string; title: string }) {
  const href = webUrl(url)
  return (
    <>
      {href ? (
        <a href={href} target="_blank" rel="noopener noreferrer">
          {title || url}
        </a>
      ) : (
        title
      )}
      {(title || !href) && <span class="item">{url}</span>}
    </>
  )
}

function Fields({ visitor, config }: { visitor: Visitor; config: ConfigState }) {
  const custom = customColumns(config.fields ?? [], [visitor])
  const extra = Object.entries(visitor).filter(([key]) => !KNOWN.has(key))
  const list = (items: string[]) => (items.length ? items.map((item) => <span class="item">{item}</span>) : undefined)
  return (
    <>
      <h2>Details</h2>
      <dl class="fields">
        <Row label="Name">{visitor.name}</Row>
        <Row label="Username">{visitor.username}</Row>
        <Row label="Email">{list(emailsOf(visitor))}</Row>
        <Row label="Phone">{list(phonesOf(visitor))}</Row>
        <Row label="Department">{visitor.department && departmentName(visitor.department, config)}</Row>
        <Row label="Status">{visitor.status}</Row>
        <Row label="Verified">{visitor.verified ? 'Yes: the site vouched for this visitor' : 'No'}</Row>
        <Row label="Came from">{visitor.sourcePage && <SourcePage {...visitor.sourcePage} />}</Row>
        <Row label="Consent">
          {visitor.consent && (
            <>
              Agreed <time dateTime={visitor.consent.at}>{formatDate(visitor.consent.at)}</time> to: <q>{visitor.consent.text}</q>
            </>
          )}
        </Row>
        <Row label="Created">{visitor.ts && <time dateTime={visitor.ts}>{formatDate(visitor.ts)}</time>}</Row>
        <Row label="Updated">{visitor._updatedAt && <time dateTime={visitor._updatedAt}>{formatDate(visitor._updatedAt)}</time>}</Row>
        <Row label="Contact ID">
          <code>{visitor._id}</code>
        </Row>
        <Row label="Token">{visitor.token && <code>{visitor.token}</code>}</Row>
        {extra.map(([key, value]) => (
          <Row key={key} label={key}>
            {typeof value === 'string' ? value : <code>{JSON.stringify(value)}</code>}
          </Row>
        ))}
      </dl>
      <h2>Custom fields</h2>
      {config.error && !config.fields && (
        <p class="hint">
          Field names couldn't be loaded ({config.error}); raw keys are shown.
        </p>
      )}
      {custom.length ? (
        <dl class="fields">
          {custom.map((c) => (
            <Row key={c.key} label={c.label}>
              {visitor.livechatData?.[c.key]}
            </Row>
          ))}
        </dl>
      ) : (
        <p>No custom fields.</p>
      )}
    </>
  )
}
