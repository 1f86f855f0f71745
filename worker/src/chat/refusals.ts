// A room's refusal as Rocket.Chat's error, for the visitor's endpoints and the agents'.
import { ApiError } from '../http/responses.ts'
import { isValidToken } from '../../../shared/visitor-rules.ts'
import { registry } from '../visitors/visitor-registry.ts'
import { isRoomId } from './chat-input.ts'
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

/** The token and room id a visitor's request names, checked before either reaches an object. */
export function checkIds(token: string, rid: string): void {
  if (!isValidToken(token)) throw invalidToken()
  if (!isRoomId(rid)) throw invalidRoom()
}

/** A room's refusal as the visitor's error: an unknown token and an unknown (or erased) room read
 * as in Rocket.Chat, which looks the visitor up first. */
export async function refusal(env: Env, refused: RoomRefusal, token: string): Promise<ApiError> {
  const common = commonRefusal(refused)
  if (common) return common
  return (await registry(env).find(token)) ? invalidRoom() : invalidToken()
}
