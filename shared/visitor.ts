/** A visitor (Rocket.Chat's contact), as stored in KV and as the API returns it. */
export interface Visitor {
  _id: string
  username: string
  token: string
  /** Set by every registration; a contact an agent created has none until the visitor registers. */
  status?: 'online'
  ts: string
  _updatedAt: string
  name?: string
  phone?: { phoneNumber: string }[]
  visitorEmails?: { address: string }[]
  department?: string
  livechatData?: Record<string, string>
  /** The agent responsible for this contact (POST omnichannel/contact). */
  contactManager?: { username: string }
  /** The site's backend vouched for this visitor's identity (see visitor-identity.ts). */
  verified?: true
  /** The data processing consent (LIVECHAT_CONSENT_TEXT) last agreed to: its text, and when (ISO). */
  consent?: { text: string; at: string }
  /** The page (URL and title) the visitor first registered on: where the contact came from. */
  sourcePage?: { url: string; title: string }
}
