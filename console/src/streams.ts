// The agents' streams the console follows on its live connection (the Worker's worker/src/ddp/streams.ts).
export const CONTACTS_STREAM = 'stream-livechat-contacts'
export const QUEUE_STREAM = 'stream-livechat-inquiry-queue-observer'
