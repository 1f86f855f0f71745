// Measures a built front-end bundle (raw and gzip -9 bytes), prints a table, and fails (exit 1)
// when a budget is exceeded. Each bundle describes itself in its own small script:
// widget/scripts/size.ts and console/scripts/size.ts, both run by `npm run build`.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'

export interface Measured {
  file: string
  raw: number
  gzip: number
}

export interface Budget {
  /** What the limit covers, for the failure message. */
  what: string
  /** Files (relative to the bundle's directory) counted; missing ones count as zero. */
  files: (rows: Measured[]) => Measured[]
  limit: number
}

export interface BundleSpec {
  /** Directory the file names below are relative to. */
  dir: string
  /** Heading of the table's first column. */
  title: string
  /** Files a browser downloads for this bundle, relative to `dir` (those that do not exist are skipped). */
  files: string[]
  /** Files that must exist (a name, or a pattern some file must match), or the build is broken. */
  required: (string | RegExp)[]
  /** Copies of a measured file under another path: printed, not counted. */
  copies?: string[]
  budgets: Budget[]
  /** A closing line, given the total gzip size. */
  note?: (totalGzip: number) => string
}

export function measure(dir: string, file: string): Measured {
  const bytes = readFileSync(resolve(dir, file))
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
}

/** Every file under `dir` whose name ends in one of `extensions`, relative to `dir`, sorted. */
export function filesUnder(dir: string, extensions: string[]): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => relative(dir, join(dir, f)))
    .filter((f) => extensions.some((ext) => f.endsWith(ext)))
    .sort()
}

const line = (file: string, raw: number | string, gzip: number | string) =>
  console.log(`${file.padEnd(48)}${String(raw).padStart(10)}${String(gzip).padStart(10)}`)

/** Prints the bundle's sizes; returns the failures (empty when every budget holds). */
export function checkBundle(spec: BundleSpec): string[] {
  const rows = spec.files.filter((f) => existsSync(resolve(spec.dir, f))).map((f) => measure(spec.dir, f))
  const sum = (list: Measured[], key: 'raw' | 'gzip') => list.reduce((total, r) => total + r[key], 0)
  line(spec.title, 'raw B', 'gzip B')
  for (const r of rows) line(r.file, r.raw, r.gzip)
  line('total', sum(rows, 'raw'), sum(rows, 'gzip'))
  for (const file of (spec.copies ?? []).filter((f) => existsSync(resolve(spec.dir, f)))) {
    const r = measure(spec.dir, file)
    line(`${file} (same file)`, r.raw, r.gzip)
  }
  if (spec.note) console.log(spec.note(sum(rows, 'gzip')))

  const failures: string[] = []
  const where = relative(process.cwd(), spec.dir) || '.'
  for (const file of spec.required) {
    const found = rows.some((r) => (typeof file === 'string' ? r.file === file : file.test(r.file)))
    if (!found) failures.push(`${where}/${typeof file === 'string' ? file : file.source} is missing: build first`)
  }
  for (const budget of spec.budgets) {
    const counted = budget.files(rows)
    const total = sum(counted, 'gzip')
    if (counted.length && total > budget.limit) failures.push(`${budget.what} ${total} B gzip exceeds ${budget.limit} B`)
  }
  for (const failure of failures) console.error(`size budget: ${failure}`)
  return failures
}
