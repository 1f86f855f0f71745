// A new inquiry makes no sound. Where the agent allowed it (the button asks the browser), it shows a
// notification; nothing is asked without the agent pressing the button.
import { useState } from 'preact/hooks'
import type { Inquiry } from '../../../../shared/chat'

const supported = () => typeof Notification !== 'undefined'

export function notifyInquiry(inquiry: Inquiry) {
  if (supported() && Notification.permission === 'granted') {
    new Notification(`New chat: ${inquiry.name}`, { body: inquiry.message, tag: inquiry._id, silent: true })
  }
}

export function NotifyButton() {
  const [permission, setPermission] = useState(() => (supported() ? Notification.permission : 'denied'))
  if (permission !== 'default') return null
  return (
    <p>
      <button type="button" class="secondary" onClick={() => void Notification.requestPermission().then(setPermission)}>
        Notify me of new chats
      </button>
    </p>
  )
}
