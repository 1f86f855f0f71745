// The chat chunk's entry (built as chat.js, loaded by chat-loader.ts): binds the main bundle's
// Preact, starts the visitor's chat session and hands its view to the panel.
import type { ApiClient } from '../api-client'
import type { formTexts } from '../i18n'
import { withOwnerTexts } from '../texts'
import type { Widget } from '../widget'
import { ChatView } from './ChatView'
import { bindPreact, type PreactParts } from './preact-shim'
import { createChatSession } from './session'
import { submitTexts } from '../submit-texts'
import { chatLanguages } from './strings'
import { adoptChatStyles } from './styles'

export interface ChatDeps {
  widget: Widget
  api: ApiClient
  origin: string
  /** The main bundle's strings, the owner's texts over them (field labels and errors the offline
   * form shares with the form). */
  formTexts: typeof formTexts
  preact: PreactParts
}

export function start({ widget, api, origin, formTexts, preact }: ChatDeps) {
  bindPreact(preact)
  // Now, not when the view mounts: the launcher's unread count needs them with the panel closed.
  adoptChatStyles(document.querySelector('ecc-chat')?.shadowRoot)
  const session = createChatSession(widget, api, origin)
  const generation = widget.state.generation
  // reset(): this visitor is gone; the loader starts a new session for the next one.
  const off = widget.on('change', (state) => {
    if (state.generation === generation) return
    off()
    session.dispose()
    widget.set({ chat: undefined })
  })
  widget.set({
    chat: () => {
      const { state } = widget
      return (
        <ChatView
          session={session}
          c={withOwnerTexts(chatLanguages[state.lang], state)}
          main={{ ...formTexts(state), ...submitTexts(state) }}
          known={state.known?.name}
          config={state.config}
          extras={widget.extras}
        />
      )
    },
  })
}

export type StartChat = typeof start
