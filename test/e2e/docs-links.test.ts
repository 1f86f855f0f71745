// The README and docs/*.md, read as GitHub renders them: every relative link leads to a file that
// exists and, when it names an anchor, to a heading of that page; every docs page is reachable from
// the README; the README stays a newcomer's page (at most 15,000 bytes). No server: files only.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../support/wrangler-dev.ts'

const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]

/** A page's lines outside fenced code blocks. */
function prose(page: string): string[] {
  let fenced = false
  return readFileSync(join(ROOT, page), 'utf8').split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced
    return !fenced && !/^\s*(```|~~~)/.test(line)
  })
}

/** GitHub's anchor for a heading's text (github-slugger), after inline markdown renders. */
function slug(heading: string): string {
  const text = heading.replace(/`([^`]*)`/g, '$1').replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/\*\*?/g, '')
  return text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-')
}

/** The anchors a page defines, duplicates numbered as GitHub numbers them. */
function anchors(page: string): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  for (const line of prose(page)) {
    const heading = /^#{1,6} +(.*?) *#* *$/.exec(line)
    if (!heading) continue
    const base = slug(heading[1])
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    out.add(n ? `${base}-${n}` : base)
  }
  return out
}

/** Every relative link target of a page (`[text](target)` and images), outside code. */
function links(page: string): string[] {
  return prose(page).flatMap((line) =>
    [...line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?: "[^"]*")?\)/g)].map((m) => m[1]))
    .filter((target) => !/^[a-z]+:/i.test(target))
}

describe('documentation links', () => {
  it.each(PAGES)('%s: every relative link and anchor resolves', (page) => {
    const broken: string[] = []
    for (const target of links(page)) {
      const [path, anchor] = target.split('#') as [string, string | undefined]
      const file = path ? relative(ROOT, join(ROOT, dirname(page), decodeURIComponent(path))) : page
      if (!existsSync(join(ROOT, file))) broken.push(`${target}: no file ${file}`)
      else if (anchor !== undefined && !(file.endsWith('.md') && anchors(file).has(anchor)))
        broken.push(`${target}: no heading #${anchor} in ${file}`)
    }
    expect(broken).toEqual([])
  })

  it('finds the links it checks', () => {
    // Guards the parser: the README links into docs/ pages by anchor.
    expect(links('README.md')).toContain('docs/deployment.md#deployment')
    expect(anchors('docs/api.md')).toContain('post-apiv1livechatvisitor--register-a-visitor-no-auth')
  })

  it('every docs page is linked from the README', () => {
    const linked = new Set(links('README.md').map((t) => t.split('#')[0]))
    expect(PAGES.filter((p) => p !== 'README.md' && !linked.has(p))).toEqual([])
  })

  it('the README is at most 15,000 bytes', () => {
    expect(statSync(join(ROOT, 'README.md')).size).toBeLessThanOrEqual(15_000)
  })
})
