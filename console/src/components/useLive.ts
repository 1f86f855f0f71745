// The live connection (live.ts) of the signed-in session, once its chunk has loaded; undefined
// until then, or for good if the chunk cannot load (lists still work, without live updates).
import { useEffect, useState } from 'preact/hooks'
import type { Api, Session } from '../api'
import type { Ddp } from '../ddp'

export function useLive(api: Api, session: Session): Ddp | undefined {
  const [ddp, setDdp] = useState<Ddp>()
  useEffect(() => {
    let close: (() => void) | undefined
    let ended = false
    import('../live').then(
      ({ openLive }) => {
        if (ended) return
        const live = openLive(api, session)
        close = live.close
        setDdp(live.ddp)
      },
      () => {},
    )
    return () => {
      ended = true
      close?.()
      setDdp(undefined)
    }
  }, [api, session.authToken])
  return ddp
}
