// Times in the inbox, in the agent's own locale: the hour and minute for live chats; the date too
// for offline messages, which may be days old.
export const formatTime = (ms: number) => new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
export const formatDateTime = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
