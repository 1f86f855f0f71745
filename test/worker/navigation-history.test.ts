// POST livechat/page.visited: Rocket.Chat's navigation history, `livechat_navigation_history`
// messages in the visitor's open room, bounded per room; refusals store nothing.
import { describe, expect, it } from 'vitest'
import type { Message } from '../../shared/chat.ts'
import { NAVIGATION_MAX } from '../../worker/src/chat/chat-room.ts'
import { expectError, expectStatus, get, history, post, servingAgent, visitorWithRoom } from './chat-support.ts'
import { newToken, register } from './support.ts'

const page = (href: string, title = 'Pricing', change = 'url') => ({ change, title, location: { href } })
const visit = (token: string, rid: string | undefined, pageInfo: unknown) =>
  post('/api/v1/livechat/page.visited', { token, ...(rid !== undefined && { rid }), pageInfo })

async function navigation(rid: string, token: string): Promise<Message[]> {
  const { messages } = await expectStatus<{ messages: Message[] }>(await history(rid, token, '&limit=100'), 200)
  return messages.filter((m) => m.t === 'livechat_navigation_history').reverse()
}

describe('POST livechat/page.visited', () => {
  it('records a page of the open room as Rocket.Chat does, without the visitor\'s token', async () => {
    const { visitor, room } = await visitorWithRoom()
    const answer = await expectStatus(await visit(visitor.token, room._id, page('https://shop.example/pricing?plan=pro')), 200)
    expect(answer).toEqual({
      success: true,
      page: {
        msg: 'Pricing - https://shop.example/pricing?plan=pro',
        navigation: { page: page('https://shop.example/pricing?plan=pro') },
      },
    })
    const [recorded] = await navigation(room._id, visitor.token)
    expect(recorded).toMatchObject({
      rid: room._id, t: 'livechat_navigation_history', u: { _id: 'rocket.cat', username: 'rocket.cat' },
      msg: 'Pricing - https://shop.example/pricing?plan=pro',
    })
    expect(JSON.stringify(recorded)).not.toContain(visitor.token)
    // The agent serving the room reads it too (chat.syncMessages), still without the token.
    const agent = await servingAgent(room._id)
    const sync = await expectStatus<{ result: { updated: Message[] } }>(
      await get(`/api/v1/chat.syncMessages?roomId=${room._id}&lastUpdate=1970-01-01T00:00:00Z`, agent.headers), 200)
    const seen = sync.result.updated.find((m) => m.t === 'livechat_navigation_history')
    expect(seen?.navigation).toEqual({ page: page('https://shop.example/pricing?plan=pro') })
    expect(JSON.stringify(sync)).not.toContain(visitor.token)
  })

  it('a reload of the page just recorded adds nothing; another page does', async () => {
    const { visitor, room } = await visitorWithRoom()
    await visit(visitor.token, room._id, page('https://shop.example/a'))
    expect(await expectStatus(await visit(visitor.token, room._id, page('https://shop.example/a')), 200)).toEqual({ success: true })
    await visit(visitor.token, room._id, page('https://shop.example/b', 'B'))
    await visit(visitor.token, room._id, page('https://shop.example/a'))
    expect((await navigation(room._id, visitor.token)).map((m) => m.navigation?.page.location.href))
      .toEqual(['https://shop.example/a', 'https://shop.example/b', 'https://shop.example/a'])
  })

  it(`keeps at most ${NAVIGATION_MAX} pages per room: the first ones`, async () => {
    const { visitor, room } = await visitorWithRoom()
    for (let i = 0; i < NAVIGATION_MAX + 5; i++) await expectStatus(await visit(visitor.token, room._id, page(`https://shop.example/p${i}`)), 200)
    const kept = await navigation(room._id, visitor.token)
    expect(kept).toHaveLength(NAVIGATION_MAX)
    expect(kept.at(-1)?.navigation?.page.location.href).toBe(`https://shop.example/p${NAVIGATION_MAX - 1}`)
  })

  it('records nothing without a room, for other changes, or once the room closed', async () => {
    const { visitor, room } = await visitorWithRoom()
    expect(await expectStatus(await visit(visitor.token, undefined, page('https://shop.example/x')), 200)).toEqual({ success: true })
    expect(await expectStatus(await visit(visitor.token, room._id, page('https://shop.example/x', 'X', 'title')), 200)).toEqual({ success: true })
    await expectStatus(await post('/api/v1/livechat/room.close', { rid: room._id, token: visitor.token }), 200)
    expect(await expectStatus(await visit(visitor.token, room._id, page('https://shop.example/y')), 200)).toEqual({ success: true })
    expect(await navigation(room._id, visitor.token)).toEqual([])
  })

  it('another visitor\'s room, an unknown token or room: Rocket.Chat\'s errors, nothing stored', async () => {
    const { visitor, room } = await visitorWithRoom()
    const stranger = await register({ token: newToken() })
    await expectError(await visit(stranger.token, room._id, page('https://evil.example/')), 'invalid-room')
    await expectError(await visit(newToken(), room._id, page('https://evil.example/')), 'invalid-token')
    await expectError(await visit(visitor.token, 'no-such-room', page('https://shop.example/')), 'invalid-room')
    await expectError(await visit('bad token', room._id, page('https://shop.example/')), 'invalid-token')
    expect(await navigation(room._id, visitor.token)).toEqual([])
  })

  it('refuses what agents would be shown as a link or text that is not one, storing nothing', async () => {
    const { visitor, room } = await visitorWithRoom()
    const bad: [unknown, RegExp][] = [
      [page('javascript:alert(1)'), /href must be an http\(s\) URL/],
      [page('data:text/html,<b>x</b>'), /href must be an http\(s\) URL/],
      [page('/relative'), /href must be an http\(s\) URL/],
      [page(`https://shop.example/${'a'.repeat(2048)}`), /href must be at most 2048/],
      [page('https://shop.example/', 'x'.repeat(257)), /title must be at most 256/],
      [page('https://shop.example/', 'a\u0007b'), /control characters/],
      [{ change: 'url', title: 'T' }, /Missing key 'location'/],
      [null, /Expected object/],
    ]
    for (const [pageInfo, error] of bad) {
      const response = await visit(visitor.token, room._id, pageInfo)
      const body = await expectStatus<{ error: string }>(response, 400)
      expect(body.error, JSON.stringify(pageInfo)).toMatch(error)
    }
    expect(await navigation(room._id, visitor.token)).toEqual([])
  })
})
