// Launcher and panel, kept in step with the widget object's state.
import { useEffect, useRef, useState } from 'preact/hooks'
import { formTexts } from '../i18n'
import { effectiveTheme } from '../theme'
import type { Widget } from '../widget'
import { Launcher } from './Launcher'
import { Panel } from './Panel'

export function App({ widget }: { widget: Widget }) {
  const [state, setState] = useState(widget.state)
  useEffect(() => {
    setState(widget.state)
    return widget.on('change', setState)
  }, [])
  const launcher = useRef<HTMLButtonElement>(null)
  const openedByVisitor = useRef(false)

  if (!state.visible) return null
  const t = formTexts(state)
  const theme = effectiveTheme(state)
  const closeToLauncher = () => {
    openedByVisitor.current = false
    widget.close()
    launcher.current?.focus()
  }

  return (
    <div
      lang={state.lang}
      class={`ecc ${theme.position === 'left' ? 'left' : 'right'}`}
      onKeyDown={(e) => e.key === 'Escape' && state.open && closeToLauncher()}
    >
      {state.open && (
        <Panel
          widget={widget}
          state={state}
          t={t}
          // The host page's title, then the owner's for this language, then LIVECHAT_THEME's, then ours.
          title={state.theme.title || state.config?.texts?.[state.lang]?.title || theme.title || t.title}
          focusOnOpen={openedByVisitor.current}
          onClose={closeToLauncher}
        />
      )}
      <Launcher
        open={state.open}
        unread={state.unread}
        label={state.open ? t.closeChat : t.openChat}
        buttonRef={launcher}
        onClick={() => {
          openedByVisitor.current = !state.open
          if (state.open) widget.close()
          else widget.open()
        }}
      />
    </div>
  )
}
