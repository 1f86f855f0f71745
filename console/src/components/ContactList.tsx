// Contacts, newest first, a page at a time; the search box narrows them as the agent types
// (debounced; a newer search cancels the one in flight). New contacts arrive live (the contacts
// stream). Export CSV downloads every contact the current search matches, fetched a full page at a time.
import { useEffect, useRef, useState } from 'preact/hooks'
import { MAX_PAGE, UNREACHABLE, type Api, type Visitor, type VisitorPage } from '../api'
import { displayName, emailsOf, formatDate, phonesOf } from '../contact'
import type { Ddp } from '../ddp'
import { CONTACTS_STREAM } from '../streams'
import { Announce, useTitle } from './Announce'
import type { ConfigState } from './Console'
import { contactHref } from './routes'

export interface ListQuery {
  term: string
  offset: number
}
export type FocusTarget = { search: true } | { contact: string }

export const PAGE_SIZE = 25
export const SEARCH_DELAY_MS = 300

// While loading, the page before stays on screen (so the pager under the agent's focus stays too).
type Load =
  | { state: 'loading'; page?: VisitorPage; of?: ListQuery }
  | { state: 'done'; page: VisitorPage; of: ListQuery }
  | { state: 'error'; error: string; page?: undefined }

const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`

function summary(query: ListQuery, page: VisitorPage): string {
  const matching = query.term ? ` matching “${query.term}”` : ''
  if (page.total === 0) return query.term ? `No contacts match “${query.term}”.` : 'No contacts yet. They appear here when visitors fill in the chat form.'
  if (!page.visitors.length) return `No contacts on this page${matching}.`
  const from = page.offset + 1
  const to = page.offset + page.visitors.length
  return `Showing ${from.toLocaleString()}–${to.toLocaleString()} of ${plural(page.total, 'contact', 'contacts')}${matching}.`
}

/** `page` with these new contacts (oldest first) at its top, each once: the first page keeps its size. */
function withNew(page: VisitorPage, contacts: Visitor[]): VisitorPage {
  const fresh = contacts.filter((c, i) => !page.visitors.some((v) => v._id === c._id) && contacts.findIndex((o) => o._id === c._id) === i)
  if (!fresh.length) return page
  const visitors = [...fresh.reverse(), ...page.visitors].slice(0, PAGE_SIZE)
  return { ...page, visitors, count: visitors.length, total: page.total + fresh.length }
}

const today = () => new Date().toISOString().slice(0, 10)
const fileSafe = (term: string) => term.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').slice(0, 40)

export function ContactList(props: {
  api: Api
  query: ListQuery
  onQuery: (q: ListQuery) => void
  config: ConfigState
  /** A message from the view the agent came from ("… was erased."). */
  flash: string
  takeFocus: () => FocusTarget | undefined
  /** The console's live connection, once it has loaded. */
  live?: Ddp
}) {
  const { api, query, onQuery } = props
  const [draft, setDraft] = useState(query.term)
  const [load, setLoad] = useState<Load>({ state: 'loading' })
  const [attempt, setAttempt] = useState(0)
  const [exportStatus, setExportStatus] = useState('')
  const [exportError, setExportError] = useState('')
  // New contacts this view does not show (a search, a later page), and the last one's announcement.
  const [unshown, setUnshown] = useState<string[]>([])
  const [news, setNews] = useState('')
  // New contacts that came while the whole list's first page was being read: its answer may predate them.
  const arrivedWhileLoading = useRef<Visitor[]>([])
  const exporting = useRef(false)
  const alive = useRef(true)
  const search = useRef<HTMLInputElement>(null)
  const list = useRef<HTMLUListElement>(null)
  const focusContact = useRef<string | undefined>(undefined)
  useTitle('Contacts')

  useEffect(() => {
    const target = props.takeFocus()
    if (target && 'search' in target) search.current?.focus()
    else if (target) focusContact.current = target.contact
    return () => {
      alive.current = false
    }
  }, [])

  // Search as you type: the query follows the box once typing pauses (or at once when the list
  // goes away, so the search is still there on coming back).
  const latest = useRef({ draft, query })
  latest.current = { draft, query }
  useEffect(() => () => {
    const { draft, query } = latest.current
    if (draft.trim() !== query.term) onQuery({ term: draft.trim(), offset: 0 })
  }, [])
  useEffect(() => {
    const term = draft.trim()
    if (term === query.term) return
    const timer = setTimeout(() => onQuery({ term, offset: 0 }), SEARCH_DELAY_MS)
    return () => clearTimeout(timer)
  }, [draft, query.term])

  useEffect(() => {
    const abort = new AbortController()
    setLoad((l) => ({ state: 'loading', page: l.page, of: l.state === 'error' ? undefined : l.of }))
    arrivedWhileLoading.current = []
    void api.search(query.term, PAGE_SIZE, query.offset, abort.signal).then((r) => {
      if (abort.signal.aborted) return
      if (!r.ok) return setLoad({ state: 'error', error: r.error })
      const page = query.term || query.offset ? r.data : withNew(r.data, arrivedWhileLoading.current)
      arrivedWhileLoading.current = []
      // Past the end (the last contacts of the last page were erased): step back to the last page.
      if (!page.visitors.length && page.total > 0 && query.offset > 0) {
        return onQuery({ term: query.term, offset: Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE })
      }
      setLoad({ state: 'done', page, of: query })
      if (!query.term && !query.offset) setUnshown([])
    })
    return () => abort.abort()
  }, [query.term, query.offset, attempt])

  // A new contact goes to the top of the whole list's first page; elsewhere the button below
  // offers it. After a reconnection the page is read again: contacts may have come meanwhile.
  useEffect(() => {
    const live = props.live
    if (!live) return
    let wasReady = live.ready
    const stopReady = live.onReady(() => {
      if (wasReady) setAttempt((n) => n + 1)
      wasReady = true
    })
    const stop = live.subscribe(CONTACTS_STREAM, 'new', ([contact]: Visitor[]) => {
      setNews(`New contact: ${displayName(contact)}.`)
      const { term, offset } = latest.current.query
      if (term || offset) return setUnshown((ids) => (ids.includes(contact._id) ? ids : [...ids, contact._id]))
      // The last page's worth is all a first page can show.
      arrivedWhileLoading.current = [...arrivedWhileLoading.current, contact].slice(-PAGE_SIZE)
      setLoad((l) => (l.state === 'done' ? { ...l, page: withNew(l.page, [contact]) } : l))
    })
    return () => {
      stopReady()
      stop()
    }
  }, [props.live])

  // Back from a contact: focus its entry again (or the heading, when it is gone).
  useEffect(() => {
    if (load.state === 'loading' || !focusContact.current) return
    const id = focusContact.current
    focusContact.current = undefined
    const link = [...(list.current?.querySelectorAll<HTMLAnchorElement>('a[data-id]') ?? [])].find((a) => a.dataset.id === id)
    ;(link ?? document.getElementById('list-title'))?.focus()
  }, [load])

  const exportCsv = async () => {
    if (exporting.current) return
    exporting.current = true
    setExportError('')
    setExportStatus('Exporting contacts…')
    // The CSV writer is a chunk of its own, fetched while the contacts are.
    const csv = import('../csv').catch(() => null)
    const term = query.term
    const seen = new Set<string>()
    const all: Visitor[] = []
    let error = ''
    for (let offset = 0, total = 1; offset < total && alive.current; ) {
      const r = await api.search(term, MAX_PAGE, offset)
      if (!r.ok) {
        error = r.error
        break
      }
      total = r.data.total
      // Newer contacts arriving mid-export shift the pages: keep each contact once.
      for (const v of r.data.visitors) if (!seen.has(v._id)) seen.add(v._id) && all.push(v)
      if (!r.data.visitors.length) break
      offset += r.data.visitors.length
      setExportStatus(`Exporting contacts… ${Math.min(offset, total).toLocaleString()} of ${total.toLocaleString()}`)
    }
    const writer = await csv
    if (!writer) error ||= UNREACHABLE
    exporting.current = false
    if (!alive.current) return
    if (error || !writer) {
      setExportStatus('')
      setExportError(`Export failed: ${error}`)
      return
    }
    writer.download(`contacts${term ? `-${fileSafe(term)}` : ''}-${today()}.csv`, writer.contactsCsv(all, props.config.fields ?? [], props.config.departments))
    setExportStatus(`Exported ${plural(all.length, 'contact', 'contacts')} to CSV.`)
  }

  const page = load.page
  // Until the effect above has run, a new query still shows the page of the one before.
  const ready = load.state === 'done' && load.of === query
  const hasPrevious = !!page && page.offset > 0
  const hasNext = !!page && page.offset + page.visitors.length < page.total
  const go = (offset: number) => ready && onQuery({ term: query.term, offset: Math.max(0, offset) })

  return (
    <section aria-labelledby="list-title" class="list">
      <div class="title-row">
        <h1 id="list-title" tabIndex={-1}>
          Contacts
        </h1>
        <button
          type="button"
          class="secondary"
          onClick={exportCsv}
          aria-disabled={!!exportStatus.startsWith('Exporting') || undefined}
          aria-describedby="export-help"
        >
          Export CSV
        </button>
      </div>
      <p id="export-help" class="hint">
        Export downloads every contact the search matches, not only this page.
      </p>
      <p role="status" class="status">
        {exportStatus}
      </p>
      {exportError && (
        <p role="alert" class="error">
          {exportError}
        </p>
      )}
      <Announce text={props.flash} class="flash" />
      <Announce text={news} />
      {unshown.length > 0 && (
        <p>
          <button type="button" class="secondary" onClick={() => (setDraft(''), onQuery({ term: '', offset: 0 }))}>
            Show {plural(unshown.length, 'new contact', 'new contacts')}
          </button>
        </p>
      )}

      <form role="search" class="search" onSubmit={(e) => (e.preventDefault(), onQuery({ term: draft.trim(), offset: 0 }))}>
        <label for="search">Search contacts</label>
        <input
          id="search"
          ref={search}
          type="search"
          value={draft}
          autocomplete="off"
          spellcheck={false}
          aria-describedby="search-help"
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
        <p id="search-help" class="hint">
          Name, username, email or phone.
        </p>
      </form>

      <p role="status" class="status">
        {load.state === 'error' ? '' : load.state === 'done' && ready ? summary(load.of, load.page) : 'Loading contacts…'}
      </p>
      {load.state === 'error' && (
        <div role="alert" class="error-box">
          <p>Couldn't load contacts: {load.error}</p>
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </div>
      )}

      {page && page.visitors.length > 0 && (
        <ul class="contacts" ref={list} aria-labelledby="list-title" aria-busy={!ready || undefined}>
          {page.visitors.map((v) => (
            <ContactItem key={v._id} visitor={v} />
          ))}
        </ul>
      )}

      {(hasPrevious || hasNext) && (
        <nav class="pager" aria-label="Pages">
          <button type="button" class="secondary" aria-disabled={!ready || !hasPrevious || undefined} onClick={() => hasPrevious && go(page.offset - PAGE_SIZE)}>
            Previous page
          </button>
          <button type="button" class="secondary" aria-disabled={!ready || !hasNext || undefined} onClick={() => hasNext && go(page.offset + PAGE_SIZE)}>
            Next page
          </button>
        </nav>
      )}
    </section>
  )
}

function ContactItem({ visitor }: { visitor: Visitor }) {
  const details = [emailsOf(visitor)[0], phonesOf(visitor)[0]].filter(Boolean).join(' · ')
  return (
    <li>
      <a href={contactHref(visitor._id)} data-id={visitor._id}>
        {displayName(visitor)}
      </a>
      {details && <span class="meta">{details}</span>}
      <span class="meta">
        Added <time dateTime={visitor.ts}>{formatDate(visitor.ts)}</time>
      </span>
    </li>
  )
}
