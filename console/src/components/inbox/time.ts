// Times of live chats in the inbox, in the agent's own locale: the hour and minute (offline
// messages, which may be days old, show the date too: contact.ts formatDate).
export const formatTime = (ms: number) => new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
