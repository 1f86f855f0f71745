// The console's views, picked by the URL's hash so Back and reloading work: #/ (contacts),
// #/contacts/<id>, #/inbox and #/inbox/<room id>.
export type Route = { view: 'contacts' } | { view: 'contact'; id: string } | { view: 'inbox'; rid?: string }

const decode = (s: string) => {
  try {
    return decodeURIComponent(s)
  } catch {
    return undefined
  }
}

export function routeOf(hash: string): Route {
  const contact = /^#\/contacts\/(.+)$/.exec(hash)
  const id = contact && decode(contact[1])
  if (id) return { view: 'contact', id }
  const inbox = /^#\/inbox(?:\/(.+))?$/.exec(hash)
  if (inbox) return { view: 'inbox', rid: inbox[1] && decode(inbox[1]) }
  return { view: 'contacts' }
}

export const inboxHref = (rid?: string) => (rid ? `#/inbox/${encodeURIComponent(rid)}` : '#/inbox')
export const contactHref = (id: string) => `#/contacts/${encodeURIComponent(id)}`
