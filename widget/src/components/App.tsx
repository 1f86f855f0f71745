// Launcher and panel, kept in step with the widget object's state.
import { Component, createRef } from 'preact'
import { formTexts } from '../i18n'
import { effectiveTheme } from '../theme'
import type { Widget } from '../widget'
import { Launcher } from './Launcher'
import { Panel } from './Panel'

// A class: the main bundle has no hooks (the chat chunk brings its own).
export class App extends Component<{ widget: Widget }> {
  launcher = createRef<HTMLButtonElement>()
  openedByVisitor = false
  off?: () => void

  componentDidMount() {
    this.off = this.props.widget.on('change', () => this.forceUpdate())
  }

  componentWillUnmount() {
    this.off!()
  }

  render({ widget }: { widget: Widget }) {
    const { state } = widget
    if (!state.visible) return null
    const t = formTexts(state)
    const theme = effectiveTheme(state)
    const closeToLauncher = () => {
      this.openedByVisitor = false
      widget.close()
      this.launcher.current?.focus()
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
            focusOnOpen={this.openedByVisitor}
            onClose={closeToLauncher}
          />
        )}
        <Launcher
          open={state.open}
          unread={state.unread}
          label={state.open ? t.closeChat : t.openChat}
          buttonRef={this.launcher}
          onClick={() => {
            this.openedByVisitor = !state.open
            if (state.open) widget.close()
            else widget.open()
          }}
        />
      </div>
    )
  }
}
