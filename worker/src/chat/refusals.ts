// A room's refusal as Rocket.Chat's error, for the visitor's endpoints and the agents'.
import { ApiError } from '../http/responses.ts'
import type { RoomRefusal } from './chat-room.ts'

export const invalidToken = () => ApiError.coded('invalid-token', '')
export const invalidRoom = () => ApiError.coded('invalid-room', '')
export const roomClosed = () => ApiError.coded('room-closed', '')
export const notAllowed = () => ApiError.coded('error-not-allowed', 'Not allowed')

/** Refusals any room answers the same way to both sides. */
export function commonRefusal(refused: RoomRefusal): ApiError | null {
  if (refused === 'room-closed') return roomClosed()
  if (refused === 'id-taken') return ApiError.coded('error-message-id-taken', 'Another message has this _id')
  return null
}
