// The console's live connection: one DDP socket per signed-in tab, signed in with the session's
// token. The contact list and the inbox subscribe on it; it counts what arrives while the tab is
// hidden (unseen.ts). Its own chunk, with the DDP client: the first screen does not wait for it.
import type { Api, Session } from './api'
import { createDdp, socketUrl, type Ddp } from './ddp'
import { countWhileHidden } from './unseen'

export interface Live {
  ddp: Ddp
  close(): void
}

export function openLive(api: Api, session: Session): Live {
  const ddp = createDdp(socketUrl(api.origin), {
    // A refused resume means the session is over: any authenticated call then ends it (401).
    handshake: (d) => d.call('login', { resume: session.authToken }).catch((error) => (void api.me(), Promise.reject(error))),
  })
  const stopCounting = countWhileHidden(ddp)
  return {
    ddp,
    close() {
      stopCounting()
      ddp.close()
    },
  }
}
