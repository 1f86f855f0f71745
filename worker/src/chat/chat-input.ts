// What clients may send into a room: message text, message and room ids, dates. Checked before
// anything reaches a room.
import * as v from 'valibot'
import { MAX_MESSAGE_LENGTH } from '../../../shared/chat.ts'
import { SAFE_KEY_PART } from '../keys.ts'
import { ApiError } from '../http/responses.ts'
import { hasLoneSurrogates } from '../../../shared/visitor-rules.ts'

// Control characters other than tab and newlines: they only hide or garble text.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/

/** A message's text: multi-line, not blank. Its length is checked apart (messageLength), since
 * Rocket.Chat answers it with its own error. */
export const messageText = v.pipe(
  v.string(),
  v.check((s) => s.trim() !== '', 'must not be empty'),
  v.check((s) => !CONTROL.test(s), 'must not contain control characters'),
  v.check((s) => !hasLoneSurrogates(s), 'must be valid Unicode text'),
)

/** Throws Rocket.Chat's error for a message over MAX_MESSAGE_LENGTH characters. */
export function checkMessageLength(msg: string): void {
  if (msg.length > MAX_MESSAGE_LENGTH)
    throw ApiError.coded('error-message-size-exceeded', `Message size exceeds ${MAX_MESSAGE_LENGTH} characters`)
}

/** A client-chosen message _id, as ids are everywhere here. */
export const messageId = v.pipe(v.string(), v.regex(SAFE_KEY_PART, 'must be 1-128 letters, digits, - or _'))

/** Whether a room id from a client may name a room object. */
export const isRoomId = (rid: string): boolean => SAFE_KEY_PART.test(rid)

/** A date in a query string (ISO 8601 or anything Date.parse reads); ms. */
export const queryDate = v.pipe(v.string(), v.transform(Date.parse), v.check((ms) => !Number.isNaN(ms), 'must be a date'))
