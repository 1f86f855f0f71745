// The chat panel: a non-modal dialog titled by its heading, showing the chat chunk's view once
// loaded, else the pre-chat form, the known-visitor message, or why neither is available yet
// (with no agent online, the chunk's offline form is loading), or that the site refuses chat here.
import type { Strings } from '../i18n'
import { allSet } from '../texts'
import type { Widget, WidgetState } from '../widget'
import { PrechatForm } from './PrechatForm'

// Focus moves by refs, called as an element appears (so a key pressed the moment it appears, Escape
// on the confirmation, already lands inside). Each is one function, so called once per element.

/** The panel opened by the visitor (a host page calling open() must not steal focus): its first field, else its close button. */
const focusFirst = (panel: HTMLElement | null) => (panel?.querySelector<HTMLElement>('input,select') ?? panel?.querySelector('button'))?.focus()

/** The confirmation, as the submitted form (and its focused button) gives way to it, or the panel
 * opens on it: focused unless something else is, so Escape still closes the panel and screen readers land on it. */
const focusUnlessTaken = (confirmation: HTMLElement | null) => {
  if (confirmation && !(confirmation.getRootNode() as ShadowRoot).activeElement) confirmation.focus()
}

export function Panel(props: {
  widget: Widget
  state: WidgetState
  t: Strings
  title: string
  focusOnOpen: boolean
  onClose: () => void
}) {
  const { state, t } = props
  return (
    <section id="ecc-panel" class="panel" role="dialog" aria-labelledby="ecc-title" ref={props.focusOnOpen ? focusFirst : undefined}>
      <header>
        <h2 id="ecc-title">{props.title}</h2>
        <button type="button" class="close" aria-label={t.closeChat} onClick={props.onClose}>
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d="M6 6l12 12M18 6L6 18" />
          </svg>
        </button>
      </header>
      <div class="body">
        {state.refused ? (
          <p role="status">{t.notSetUp}</p>
        ) : state.chat ? (
          <state.chat />
        ) : state.known ? (
          <p class="known" role="status" tabIndex={-1} ref={focusUnlessTaken}>
            {allSet(t, state.known.name)}
          </p>
        ) : state.config && state.config.online !== false ? (
          <PrechatForm key={state.generation} widget={props.widget} config={state.config} t={t} />
        ) : (
          <p role="status">{state.failed ? t.unavailable : state.offline ? t.retrying : t.loading}</p>
        )}
      </div>
    </section>
  )
}
