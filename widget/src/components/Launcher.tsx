// The round button that opens and closes the panel.
import type { Ref } from 'preact'

const CHAT = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'
const CLOSE = 'M6 6l12 12M18 6L6 18'

export function Launcher(props: { open: boolean; label: string; unread?: number; buttonRef: Ref<HTMLButtonElement>; onClick: () => void }) {
  return (
    <button
      ref={props.buttonRef}
      type="button"
      class="launcher"
      aria-label={props.unread ? `${props.label} (${props.unread})` : props.label}
      aria-expanded={props.open}
      // The panel only exists while open: never point at a missing element.
      aria-controls={props.open ? 'ecc-panel' : undefined}
      onClick={props.onClick}
    >
      <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <path d={props.open ? CLOSE : CHAT} />
      </svg>
      {!!props.unread && (
        <span class="unread" aria-hidden="true">
          {props.unread}
        </span>
      )}
    </button>
  )
}
