// Usernames that look alike are the same username: compared after NFKC and case folding, so
// `guest-１` is reserved like `guest-1` and `Ａlice` is taken once `alice` is. Invisible characters
// and spaces at either end are refused outright, storing nothing.
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { VisitorTable } from '../../worker/src/visitors/visitor-table.ts'
import { usernameKey } from '../../shared/visitor-rules.ts'
import { call, createAgent, newToken, postVisitor, register, registry, registryTables, snapshot } from './support.ts'

const unique = () => newToken().slice(0, 8).toLowerCase()

describe('usernames are compared by their NFKC case-folded key', () => {
  it('folds compatibility forms and case, ß included', () => {
    expect(usernameKey('guest-１')).toBe('guest-1')
    expect(usernameKey('ＧＵＥＳＴ-１２')).toBe('guest-12')
    expect(usernameKey('Straße')).toBe(usernameKey('STRASSE'))
    expect(usernameKey('STRAẞE')).toBe(usernameKey('strasse'))
    expect(usernameKey('ΟΔΟΣ')).toBe(usernameKey('οδος'))
    expect(usernameKey('οδος')).toBe(usernameKey('οδοσ'))
    expect(usernameKey('\u212Aelvin')).toBe('kelvin')
    expect(usernameKey('Ⅳ')).toBe('iv')
    expect(usernameKey('𝐀lice')).toBe('alice')
    expect(usernameKey('ﬁona')).toBe('fiona')
    expect(usernameKey('Ａlice')).toBe('alice')
  })

  it('gives a guest-N shaped name in any width or case the next guest-N instead', async () => {
    for (const username of ['guest-１', 'ＧＵＥＳＴ-7', 'Guest-99']) {
      const visitor = await register({ token: newToken(), username })
      expect(visitor.username, username).toMatch(/^guest-\d+$/)
      expect(visitor.username).not.toBe(username)
    }
  })

  it('treats a name that folds to a taken one as taken', async () => {
    const base = `alice${unique()}`
    const first = await register({ token: newToken(), username: base })
    expect(first.username).toBe(base)
    const fullWidth = [...base].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('')
    for (const lookalike of [base.toUpperCase(), fullWidth, `Ａ${base.slice(1)}`]) {
      expect((await register({ token: newToken(), username: lookalike })).username, lookalike).toMatch(/^guest-\d+$/)
    }
    const strasse = `straße${unique()}`
    expect((await register({ token: newToken(), username: strasse })).username).toBe(strasse)
    for (const lookalike of [strasse.replace('ß', 'SS'), strasse.replace('ß', 'ẞ').toUpperCase(), strasse.replace('ß', 'ss')])
      expect((await register({ token: newToken(), username: lookalike })).username, lookalike).toMatch(/^guest-\d+$/)
  })

  it('gives 20 concurrent lookalikes of one free name exactly one holder', async () => {
    const base = `carol${unique()}`
    const variants = Array.from({ length: 20 }, (_, i) => (i % 2 ? base.toUpperCase() : `Ｃ${base.slice(1)}`))
    const visitors = await Promise.all(variants.map((username) => register({ token: newToken(), username })))
    expect(visitors.filter((v) => !/^guest-\d+$/.test(v.username))).toHaveLength(1)
    const keys = (await registryTables()).visitors.map((r) => r.username_key)
    expect(new Set(keys).size).toBe(keys.length)
  })
})

describe('usernames with invisible characters or edge spaces are refused, storing nothing', () => {
  const refused: [string, string][] = [
    [`bob${unique()} `, 'must not start or end with a space'],
    [` bob${unique()}`, 'must not start or end with a space'],
    [`bob${unique()}\u3000`, 'must not start or end with a space'],
    [`bob${unique()}\u00a0`, 'must not start or end with a space'],
    [`b\u200bob${unique()}`, 'must not contain invisible or formatting characters'],
    [`b\u200dob${unique()}`, 'must not contain invisible or formatting characters'],
    [`\u202ebob${unique()}`, 'must not contain invisible or formatting characters'],
    [`bob\u2066${unique()}`, 'must not contain invisible or formatting characters'],
    [`\u00adbob${unique()}`, 'must not contain invisible or formatting characters'],
    [`bob\ufeff${unique()}`, 'must not contain invisible or formatting characters'],
    [`bob\u2028${unique()}`, 'must not contain invisible or formatting characters'],
    [`alic\u034fe${unique()}`, 'must not contain invisible or formatting characters'],
    [`alice${unique()}\u3164`, 'must not contain invisible or formatting characters'],
    [`alice${unique()}\ufe0f`, 'must not contain invisible or formatting characters'],
    [`\u115falice${unique()}`, 'must not contain invisible or formatting characters'],
    [`ali\uffa0ce${unique()}`, 'must not contain invisible or formatting characters'],
    [`ali\u2800ce${unique()}`, 'must not contain invisible or formatting characters'],
  ]

  it('from a visitor registration', async () => {
    for (const [username, reason] of refused) {
      const before = await snapshot()
      const response = await postVisitor({ visitor: { token: newToken(), username } })
      expect(response.status, JSON.stringify(username)).toBe(400)
      expect(await response.json()).toEqual({ success: false, error: `Match error: visitor.username ${reason}` })
      expect(await snapshot()).toEqual(before)
    }
  })

  it('from an agent creating a contact', async () => {
    const { headers } = await createAgent()
    for (const [username, reason] of refused) {
      const response = await call('/api/v1/omnichannel/contact', {
        method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ token: newToken(), name: 'N', username }),
      })
      expect(response.status, JSON.stringify(username)).toBe(400)
      expect((await response.json<{ error: string }>()).error).toBe(`Match error: username ${reason}`)
    }
  })

  it('while a name with inner spaces or joined scripts stays fine', async () => {
    const username = `Ana Lúcia ${unique()}`
    expect((await register({ token: newToken(), username })).username).toBe(username)
  })
})

describe('a registry from before username keys', () => {
  it('gets a key per row; two old names that fold alike keep their rows and both stay taken', async () => {
    const names = [`dave${unique()}`]
    names.push(names[0].toUpperCase())
    await runInDurableObject(registry(), (_instance, state) => {
      const sql = state.storage.sql
      sql.exec('DROP INDEX visitors_username_key')
      sql.exec('ALTER TABLE visitors DROP COLUMN username_key')
      // As 0.2 could store them: distinct under SQLite's NOCASE only for non-ASCII, so use full width.
      const lookalike = `Ｄ${names[0].slice(1)}`
      for (const [i, username] of [names[0], lookalike].entries()) {
        sql.exec(`INSERT INTO visitors (id, token, username, record, updated, created, search, custom)
          VALUES (?, ?, ?, '{}', ?, ?, '', '{}')`, `old${i}${unique()}`, newToken(), username, Date.now(), Date.now() + i)
      }
      new VisitorTable(sql)
      const rows = sql.exec<{ username: string; username_key: string }>('SELECT username, username_key FROM visitors WHERE username IN (?, ?)', names[0], lookalike).toArray()
      expect(rows.find((r) => r.username === names[0])!.username_key).toBe(names[0])
      expect(rows.find((r) => r.username === lookalike)!.username_key).toMatch(new RegExp(`^${names[0]}\\u0001`))
      expect(sql.exec('SELECT COUNT(*) AS n FROM visitors WHERE username_key IS NULL').one().n).toBe(0)
    })
    expect((await register({ token: newToken(), username: names[1] })).username).toMatch(/^guest-\d+$/)
  })
})
