// The chat panel: a non-modal dialog titled by its heading, showing the chat chunk's view once
// loaded, else the pre-chat form, the known-visitor message, or why neither is available yet
// (with no agent online, the chunk's offline form is loading), or that the site refuses chat here.
import { useLayoutEffect, useRef } from 'preact/hooks'
import type { Strings } from '../i18n'
import { allSet } from '../texts'
import type { Widget, WidgetState } from '../widget'
import { PrechatForm } from './PrechatForm'

export function Panel(props: {
  widget: Widget
  state: WidgetState
  t: Strings
  title: string
  focusOnOpen: boolean
  onClose: () => void
}) {
  const { state, t } = props
  const ref = useRef<HTMLElement>(null)
  const confirmation = useRef<HTMLParagraphElement>(null)

  // Layout effects: focus moves in the same commit that shows the content, so a key pressed the
  // moment it appears (Escape on the confirmation) already lands inside the panel.
  useLayoutEffect(() => {
    // Only when the visitor opened it: a host page calling open() must not steal focus.
    if (!props.focusOnOpen) return
    const panel = ref.current!
    ;(panel.querySelector<HTMLElement>('input,select') ?? panel.querySelector('button'))?.focus()
  }, [])

  useLayoutEffect(() => {
    // The submitted form, and its focused button, just gave way to the confirmation: focus it,
    // so Escape still closes the panel and screen readers land on it.
    const root = ref.current?.getRootNode() as Document | ShadowRoot | undefined
    if (state.known && !root?.activeElement) confirmation.current?.focus()
  }, [state.known])

  return (
    <section id="ecc-panel" class="panel" role="dialog" aria-labelledby="ecc-title" ref={ref}>
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
          <p class="known" role="status" tabIndex={-1} ref={confirmation}>
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
