/** A visitor (Rocket.Chat's contact), as stored in KV and as the API returns it. */
export interface Visitor {
  _id: string
  username: string
  token: string
  status: 'online'
  ts: string
  _updatedAt: string
  name?: string
  phone?: { phoneNumber: string }[]
  visitorEmails?: { address: string }[]
  department?: string
  livechatData?: Record<string, string>
  /** The site's backend vouched for this visitor's identity (see visitor-identity.ts). */
  verified?: true
}
