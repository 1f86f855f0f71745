// Loads the chat chunk (chat.js, built beside widget.js) the first time the panel needs it: a
// visitor registered and opening the panel or just submitting the form, a returning visitor with
// an open room, or no agent online (the offline form). Everything else stays in the chunk.
import { options } from 'preact'
import { jsx } from 'preact/jsx-runtime'
import type { ApiClient } from './api-client'
import type { StartChat } from './chat/index'
import { formTexts } from './i18n'
import type { Widget, WidgetState } from './widget'

export type LoadChat = () => Promise<{ start: StartChat }>

export function loadChatWhenNeeded(widget: Widget, api: ApiClient, origin: string, load: LoadChat) {
  let loading = false
  // The chunk drops its view on reset(); a later registration starts it again.
  const check = ({ config, known, open, chat }: WidgetState) => {
    if (loading || chat || !config || !((known && (open || config.room)) || config.online === false)) return
    loading = true
    load()
      .then(({ start }) => start({ widget, api, origin, formTexts, preact: { jsx, options } }))
      // Not loaded (offline, a deploy in between): the next change of state tries again.
      .catch(() => {})
      .finally(() => (loading = false))
  }
  widget.on('change', check)
  check(widget.state)
}
