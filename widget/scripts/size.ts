// Prints the raw and gzip -9 size of what a browser downloads before the pre-chat form is
// interactive, and fails (exit 1) when the budgets of issue 3 are exceeded.
// Run after the build: node widget/scripts/size.ts
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { gzipSync } from 'node:zlib'

const dist = resolve(import.meta.dirname, '../dist')
const TOTAL_BUDGET = 15_000
const LOADER_BUDGET = 2_000
const ROCKET_CHAT = 476_733

// The page fetches one of widget.js or its Rocket.Chat-path copy, never both; a stylesheet
// or a loader would count too if the build ever produced one.
const critical = ['loader.js', 'widget.js', 'widget.css'].filter((f) => existsSync(resolve(dist, f)))
const copies = ['livechat/rocketchat-livechat.min.js']

const measure = (file: string) => {
  const bytes = readFileSync(resolve(dist, file))
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
}
const rows = critical.map(measure)
const total = rows.reduce((sum, r) => sum + r.gzip, 0)
const loader = rows.find((r) => r.file === 'loader.js')

const line = (file: string, raw: number | string, gzip: number | string) =>
  console.log(`${file.padEnd(48)}${String(raw).padStart(10)}${String(gzip).padStart(10)}`)
line('file (before the form is interactive)', 'raw B', 'gzip B')
for (const r of rows) line(r.file, r.raw, r.gzip)
line('total', rows.reduce((sum, r) => sum + r.raw, 0), total)
for (const file of copies.filter((f) => existsSync(resolve(dist, f)))) {
  const r = measure(file)
  line(`${file} (same file)`, r.raw, r.gzip)
}
console.log(
  `budget ${TOTAL_BUDGET} B gzip (aim 10000); Rocket.Chat livechat ${ROCKET_CHAT} B → ${(ROCKET_CHAT / total).toFixed(0)}× smaller`,
)

const failures = []
if (!rows.some((r) => r.file === 'widget.js')) failures.push('widget/dist/widget.js is missing: build first')
if (total > TOTAL_BUDGET) failures.push(`total ${total} B gzip exceeds ${TOTAL_BUDGET} B`)
if (loader && loader.gzip > LOADER_BUDGET) failures.push(`loader ${loader.gzip} B gzip exceeds ${LOADER_BUDGET} B`)
for (const failure of failures) console.error(`size budget: ${failure}`)
process.exit(failures.length ? 1 : 0)
