// The contact behind the chat, beside the conversation, with a link to the contact view.
import { useEffect, useState } from 'preact/hooks'
import type { Api, Visitor } from '../../api'
import { emailsOf, phonesOf } from '../../contact'
import { contactHref } from '../routes'

export function ContactCard({ api, visitorId, name }: { api: Api; visitorId: string; name: string }) {
  const [visitor, setVisitor] = useState<Visitor | null>()
  useEffect(() => {
    const abort = new AbortController()
    void api.info(visitorId, abort.signal).then((r) => !abort.signal.aborted && setVisitor(r.ok ? r.data.visitor : null))
    return () => abort.abort()
  }, [visitorId])
  const rows = visitor ? [...emailsOf(visitor), ...phonesOf(visitor)] : []
  return (
    <aside aria-labelledby="contact-card-title" class="contact-card">
      <h3 id="contact-card-title">Contact</h3>
      <p class="card-title">{visitor?.name || name}</p>
      {visitor === undefined && <p class="hint">Loading details…</p>}
      {visitor === null && <p class="hint">Details unavailable.</p>}
      {rows.map((row) => (
        <p key={row} class="meta">
          {row}
        </p>
      ))}
      <a href={contactHref(visitorId)}>Open contact</a>
    </aside>
  )
}
