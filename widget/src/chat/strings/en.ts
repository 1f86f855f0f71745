// The chat view's own strings (the pre-chat form's stay in the main bundle's strings/).
import type { ChatTexts } from '../../../../shared/widget-texts'

export default {
  messages: 'Messages',
  message: 'Message',
  send: 'Send',
  you: 'You',
  agent: 'Agent',
  servedBy: "You're chatting with {name}.",
  typing: '{name} is typing…',
  pending: 'Sending…',
  failed: 'Not sent.',
  retry: 'Retry',
  endChat: 'End chat',
  ended: 'This chat has ended.',
  newChat: 'Start a new chat',
  reconnecting: 'Reconnecting…',
  offlineIntro: 'No one is available right now. Leave a message and we will get back to you by email.',
  sendMessage: 'Send message',
  offlineSent: 'Thank you! Your message has been sent.',
} satisfies ChatTexts
