// Over DDP Rocket.Chat's clients read dates as EJSON's `{"$date": ms}` (the REST answers carry ISO
// strings): converted once, by the publisher.
import type { Message } from '../../../shared/chat.ts'

export type DdpDate = { $date: number }
export type DdpMessage = Omit<Message, 'ts' | '_updatedAt'> & { ts: DdpDate; _updatedAt: DdpDate }

export const ddpDate = (iso: string): DdpDate => ({ $date: Date.parse(iso) })

export const ddpMessage = (message: Message): DdpMessage => ({ ...message, ts: ddpDate(message.ts), _updatedAt: ddpDate(message._updatedAt) })
