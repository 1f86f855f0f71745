// The page title: the view, then the app; while the tab is hidden, first the count of new contacts
// and inquiries that arrived meanwhile, so a glance at the tab strip shows them: "(3) Contacts — …".
let view = ''
let unseen = 0

const show = () => {
  document.title = `${unseen ? `(${unseen}) ` : ''}${view} — Agent console`
}

export function setView(name: string): void {
  view = name
  show()
}

export function setUnseen(count: number): void {
  unseen = count
  show()
}
