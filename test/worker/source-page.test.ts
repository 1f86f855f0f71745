// Where a contact came from: `visitor.sourcePage: {url, title}` (the page the form was filled on) is
// stored with the contact the first time one is given, and shown to agents and to the visitor.
import { describe, expect, it } from 'vitest'
import { agentsRead } from './agents-read.ts'
import { fetchVisitor, newToken, postVisitor, register, snapshot } from './support.ts'

const PRICING = { url: 'https://shop.example/pricing?plan=pro#faq', title: 'Pricing – Example Shop' }
const BLOG = { url: 'http://shop.example/blog', title: 'Blog' }

describe('sourcePage', () => {
  it('is stored with a new contact, shown to the visitor and to agents', async () => {
    const visitor = await register({ token: newToken(), name: 'Ana', sourcePage: PRICING })
    expect(visitor.sourcePage).toEqual(PRICING)
    expect((await fetchVisitor(visitor.token))!.sourcePage).toEqual(PRICING)
    for (const read of await agentsRead(visitor._id)) expect(read.sourcePage).toEqual(PRICING)
  })

  it('keeps the first page: a later registration from another page changes nothing there', async () => {
    const token = newToken()
    await register({ token, name: 'Ana', sourcePage: PRICING })
    const later = await register({ token, name: 'Ana B', sourcePage: BLOG })
    expect(later.name).toBe('Ana B')
    expect(later.sourcePage).toEqual(PRICING)
    for (const read of await agentsRead(later._id)) expect(read.sourcePage).toEqual(PRICING)
  })

  it('is set by the first registration that gives one, on a contact that had none', async () => {
    const token = newToken()
    expect(await register({ token, name: 'Ana' })).not.toHaveProperty('sourcePage')
    expect((await register({ token, sourcePage: BLOG })).sourcePage).toEqual(BLOG)
  })

  it('takes the longest URL and title allowed, an empty title, and null as "not sent"', async () => {
    const url = `https://shop.example/${'a'.repeat(2048 - 'https://shop.example/'.length)}`
    const longest = { url, title: 't'.repeat(256) }
    expect((await register({ token: newToken(), sourcePage: longest })).sourcePage).toEqual(longest)
    expect((await register({ token: newToken(), sourcePage: { url: BLOG.url, title: '' } })).sourcePage).toEqual({ url: BLOG.url, title: '' })
    expect(await register({ token: newToken(), sourcePage: null })).not.toHaveProperty('sourcePage')
  })

  it('stores only url and title', async () => {
    const visitor = await register({ token: newToken(), sourcePage: { ...PRICING, referrer: 'https://search.example/' } })
    expect(visitor.sourcePage).toEqual(PRICING)
  })
})

describe('a malformed sourcePage is refused (400 naming the field), nothing stored', () => {
  const cases: [string, unknown, string][] = [
    ['a javascript: URL', { url: 'javascript:alert(1)', title: 'x' }, 'Match error: visitor.sourcePage.url must be an http(s) URL'],
    ['a data: URL', { url: 'data:text/html,<b>hi</b>', title: 'x' }, 'Match error: visitor.sourcePage.url must be an http(s) URL'],
    ['a relative URL', { url: '/pricing', title: 'x' }, 'Match error: visitor.sourcePage.url must be an http(s) URL'],
    ['a URL over 2048 characters', { url: `https://shop.example/${'a'.repeat(2048)}`, title: 'x' }, 'Match error: visitor.sourcePage.url must be at most 2048 characters'],
    ['a title over 256 characters', { url: BLOG.url, title: 't'.repeat(257) }, 'Match error: visitor.sourcePage.title must be at most 256 characters'],
    ['a title with a line break', { url: BLOG.url, title: 'Blog\nInjected' }, 'Match error: visitor.sourcePage.title must not contain control characters'],
    ['a URL with a control character', { url: 'https://shop.example/\u0000', title: 'x' }, 'Match error: visitor.sourcePage.url must not contain control characters'],
    ['no url', { title: 'x' }, "Match error: Missing key 'url' in field visitor.sourcePage"],
    ['no title', { url: BLOG.url }, "Match error: Missing key 'title' in field visitor.sourcePage"],
    ['a string', 'https://shop.example/', 'Match error: Expected object, got string in field visitor.sourcePage'],
  ]
  for (const [what, sourcePage, error] of cases) {
    it(what, async () => {
      const token = newToken()
      const before = await snapshot()
      const response = await postVisitor({ visitor: { token, name: 'Ana', sourcePage } })
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ success: false, error })
      expect(await snapshot()).toEqual(before)
      expect(await fetchVisitor(token)).toBeNull()
    })
  }
})
