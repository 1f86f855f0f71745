// English, the default, built into widget.js; the other languages are chunks of their own (i18n.ts).
import type { FormTexts, SubmitTexts } from '../../../shared/widget-texts'

export default {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  title: 'Chat with us',
  intro: 'Tell us who you are and we will connect you with an agent.',
  name: 'Name',
  email: 'Email',
  phone: 'Phone',
  department: 'Department',
  choose: 'Choose…',
  optional: '(optional)',
  submit: 'Start chat',
  loading: 'Loading…',
  retrying: "Couldn't reach the server. Retrying…",
  unavailable: 'Chat is unavailable right now.',
  notSetUp: 'This site is not set up for chat yet.',
  known: "You're all set. An agent will be with you shortly.",
  knownAs: "You're all set, {name}. An agent will be with you shortly.",
} satisfies FormTexts

/** From the form's submit on: in the submit and chat chunks (submit-texts.ts), not in widget.js. */
export const submit = {
  sending: 'Sending…',
  unreachable: "Couldn't reach the server. What you typed is kept.",
  tryAgain: 'Try again',
  fixErrors: 'Please correct the highlighted fields.',
  required: 'This field is required.',
  invalidEmail: 'Enter a valid email address.',
  invalidValue: 'This value is not accepted.',
  tooLong: 'This is too long.',
  humanCheck: 'Please complete the security check.',
} satisfies SubmitTexts
