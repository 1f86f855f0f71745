// A polite live region whose text is set after it is on the page: screen readers announce a
// change to a region they already know, not one inserted with its text.
import { useEffect, useState } from 'preact/hooks'
import { setView } from '../title'

export function Announce({ text, class: className }: { text: string; class?: string }) {
  const [shown, setShown] = useState('')
  useEffect(() => setShown(text), [text])
  return (
    <p role="status" class={shown ? className : undefined}>
      {shown}
    </p>
  )
}

/** The page title names the view (title.ts). */
export function useTitle(view: string) {
  useEffect(() => setView(view), [view])
}
