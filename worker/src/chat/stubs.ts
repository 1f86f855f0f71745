// The chat objects a request talks to.

/** The one object holding the rooms index, the queue and agents' statuses. */
export const omnichannel = (env: Env) => env.OMNICHANNEL.getByName('global')

/** The object holding one room and its messages. */
export const chatRoom = (env: Env, rid: string) => env.CHAT_ROOM.getByName(rid)
