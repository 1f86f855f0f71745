// Types the inbox's components share.
import type { Api, Session } from '../../api'
import type { Ddp } from '../../ddp'

export interface InboxProps {
  api: Api
  session: Session
  /** The chat the URL opens (#/inbox/<rid>). */
  rid?: string
  /** The console's live connection, once it has loaded. */
  ddp?: Ddp
}
