// Types the inbox's components share.
import type { Api, Session } from '../../api'

export interface InboxProps {
  api: Api
  session: Session
  /** The chat the URL opens (#/inbox/<rid>). */
  rid?: string
}
