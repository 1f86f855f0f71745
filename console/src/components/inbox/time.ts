// Times in the inbox: the hour and minute, in the agent's own locale.
export const formatTime = (ms: number) => new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
