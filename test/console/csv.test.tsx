import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import { contactsCsv, csvCell, csvRow } from '../../console/src/csv'
import { FIELDS, fakeServer, json, makeVisitors, mountSignedIn, settled } from './support'

// Two readers, as spreadsheet programs split a text file into cells with the list separator of
// the user's locale (`,`, `;` or a tab), so the tests see what each would show.
type Reader = (text: string, separator: string) => string[][]
const isLineEnd = (text: string, i: number) => i >= text.length || text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')

/** Excel's way: a quote turns quoting on or off wherever it stands; in quotes, "" is one quote. */
const excel: Reader = (text, separator) => {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') {
      if (quoted && text[i + 1] === '"') (cell += '"'), i++
      else quoted = !quoted
    } else if (quoted) cell += c
    else if (c === separator) row.push(cell), (cell = '')
    else if (isLineEnd(text, i)) {
      if (c === '\r') i++
      row.push(cell), rows.push(row), (row = []), (cell = '')
    } else cell += c
  }
  if (cell || row.length) row.push(cell), rows.push(row)
  return rows
}

/**
 * LibreOffice Calc's CSV import (sc/source/ui/docshell/impex.cxx): only a field that starts with a
 * quote is quoted; in it "" is one quote, and a lone quote ends the field only when the separator
 * (after any spaces) or the line's end follows it; any other quote is kept as text.
 */
const libreOffice: Reader = (text, separator) => {
  const rows: string[][] = []
  let row: string[] = []
  let i = 0
  while (i < text.length) {
    let cell = ''
    if (text[i] === '"') {
      for (i++; i < text.length; ) {
        if (text[i] !== '"') cell += text[i++]
        else if (text[i + 1] === '"') (cell += '"'), (i += 2)
        else {
          let next = i + 1
          while (text[next] === ' ') next++
          if (text[next] === separator || isLineEnd(text, next)) {
            i = next
            break
          }
          ;(cell += '"'), i++
        }
      }
    } else while (text[i] !== separator && !isLineEnd(text, i)) cell += text[i++]
    row.push(cell)
    if (text[i] === separator) i++
    else (rows.push(row), (row = []), (i += text[i] === '\r' ? 2 : 1))
  }
  return rows
}

const READERS = { excel, libreOffice }
const SEPARATORS = [',', ';', '\t']
/** RFC 4180 with a comma: both readers agree there. */
const parseCsv = (text: string) => libreOffice(text, ',')

/** A cell a spreadsheet would take as a formula, as it stands or once its spaces are trimmed. */
const formula = (cell: string) => /^\s*[=+\-@]/.test(cell)

/** Checks `text` (without its BOM) in every reader with every separator: no cell starts a
 * formula; with the comma, the rows read back as `rows`, any value at most prefixed with '. */
function expectSafe(text: string, rows: string[][]) {
  for (const [name, read] of Object.entries(READERS)) {
    for (const separator of SEPARATORS) {
      const cells = read(text, separator).flat()
      expect(cells.filter(formula), `${name} with ${JSON.stringify(separator)}`).toEqual([])
    }
    const back = read(text, ',')
    expect(back.length, name).toBe(rows.length)
    back.forEach((row, r) => {
      expect(row.length).toBe(rows[r].length)
      row.forEach((cell, c) => expect([rows[r][c], `'${rows[r][c]}`], `${name} ${JSON.stringify(rows[r][c])}`).toContain(cell))
    })
  }
}

const HOSTILE = [
  "a;=cmd|' /C calc'!A0",
  "=cmd|' /C calc'!A0",
  'x\t=1+1',
  '"=1"',
  ';@SUM(1)',
  '\n=1+1',
  'a\n=1+1',
  '\r\n-1+1',
  ' =1+1',
  '\u00a0=1+1',
  '\t=1',
  '\r=1',
  '+55+51+9999',
  '-2+3',
  '@SUM(A1)',
  '=1+2";=1+2',
  `=1+2'" ;,=1+2`,
  '";=1',
  'x";=1',
  '""";=1',
  ' ;=1',
  '\t;=1',
  ',=1',
  'a,=1',
  '=HYPERLINK("http://evil";"x")',
  '"',
  "'=1",
]

test('cells: every field quoted, quotes doubled, plain text otherwise as it is', () => {
  expect(csvCell('plain')).toBe('"plain"')
  expect(csvCell('say "hi"')).toBe('"say ""hi"""')
  expect(csvCell('a,b;c\td')).toBe('"a,b;c\td"')
  expect(csvCell('line\nbreak')).toBe('"line\nbreak"')
  expect(csvCell('')).toBe('""')
  expect(csvCell('a=1')).toBe('"a=1"')
  expect(csvRow(['a', 'b,c', ''])).toBe('"a","b,c",""')
})

test("cells: a leading ' before a formula trigger, whitespace, a quote or a semicolon", () => {
  expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`)
  expect(['+1', '-2', '@A1', '\t=1', '\r1', ' =1', '\n=1', '"=1"', ';=1', '\0=1', ',=1', "'=1"].map(csvCell)).toEqual([
    `"'+1"`, `"'-2"`, `"'@A1"`, `"'\t=1"`, `"'\r1"`, `"' =1"`, `"'\n=1"`, `"'""=1"""`, `"';=1"`, `"'\0=1"`, `",=1"`, `"'=1"`,
  ])
})

test('hostile values open as text whatever the list separator, and read back exactly with the comma', () => {
  const rows = [['ID', 'Name', 'Note'], ...HOSTILE.flatMap((v) => [[v, v, v], ['id', `x${v}`, `${v}x`], ['id', v, 'z']])]
  expectSafe(rows.map(csvRow).join('\r\n') + '\r\n', rows)
})

test('random values made of triggers, quotes, separators and line breaks: never a formula cell', () => {
  const alphabet = ['=', '+', '-', '@', '"', "'", ';', ',', '\t', '\r', '\n', '\r\n', ' ', 'a', '|', '!']
  let seed = 11 // xorshift32: the same values every run
  const random = (n: number) => ((seed ^= seed << 13), (seed ^= seed >>> 17), (seed ^= seed << 5), (seed >>> 0) % n)
  const value = () => Array.from({ length: random(7) }, () => alphabet[random(alphabet.length)]).join('')
  const rows = Array.from({ length: 3000 }, () => [value(), value(), value()])
  expectSafe(rows.map(csvRow).join('\r\n') + '\r\n', rows)
})

test('phone numbers stay as they are, so they import intact: a leading +, digits, spaces, hyphens, parentheses', () => {
  const phones = ['+49 (30) 1234-5678', '+1 (555) 123-4567', '+1-555-123-4567', '+4915112345678', '+55 51 99999-0000', '+(49) 30 1234567', '+49 30 1234567; +44 20 7946 0958']
  expect(phones.map(csvCell)).toEqual(phones.map((p) => `"${p}"`))
  // Those without a leading + never needed the ' at all.
  expect(['(030) 1234-5678', '030 1234 5678'].map(csvCell)).toEqual(['"(030) 1234-5678"', '"030 1234 5678"'])
})

test('look-alikes of phone numbers that a spreadsheet would compute, or that carry more, keep the \'', () => {
  const lookAlikes = [
    '+1+1', '-2-3', '+1--2', '+1 - -2', '+1-(-2)', '+12', '+123456', '-49 30 1234567', '+ 49 30 1234567', '++49 30 1234567',
    '+49 30 1234567+1', '+49 30 1234567\t', '+49 30 1234567\n=1', '+49 30 1234567; =1', '+49 30 1234567;=1', '+49 30 1234567; ',
    '+4930123456e7', '+49 30 1234567*2', '+49 30 1234567/2', '+49,30,1234567', '+49 30 1234567 A1', '+٤٩٣٠١٢٣٤٥٦٧',
  ]
  for (const value of lookAlikes) expect(csvCell(value), JSON.stringify(value)).toBe(`"'${value.replaceAll('"', '""')}"`)
})

test('contactsCsv: a BOM, a header, one CRLF row per contact, custom field columns by label, no token', () => {
  const [v] = makeVisitors(1, () => ({
    name: 'Ana, "the" boss',
    phone: [{ phoneNumber: '+55 51 1' }, { phoneNumber: '2' }],
    visitorEmails: [{ address: 'ana@example.com' }],
    department: 'sales',
    verified: true,
    livechatData: { address: 'Street 1\nFloor 2', legacy: 'a;=cmd' },
  }))
  const text = contactsCsv([v], FIELDS, [{ _id: 'support', name: 'Support' }, { _id: 'sales', name: 'Sales team' }])
  expect(text.startsWith('\uFEFF"ID","Username",')).toBe(true)
  expect(text.endsWith('\r\n')).toBe(true)
  expect(text).not.toContain(v.token)
  const header = ['ID', 'Username', 'Name', 'Email', 'Phone', 'Department', 'Status', 'Verified', 'Created', 'Updated', 'Address', 'Plan', 'Customer code', 'legacy']
  const row = ['id1', 'guest-1', 'Ana, "the" boss', 'ana@example.com', '+55 51 1; 2', 'Sales team', 'online', 'yes', v.ts, v._updatedAt, 'Street 1\nFloor 2', '', '', 'a;=cmd']
  expect(parseCsv(text.slice(1))).toEqual([header, row.map((cell) => (cell.startsWith('+') ? `'${cell}` : cell))])
  expectSafe(text.slice(1), [header, row])
})

test('contactsCsv: a phone number reads back exactly; a department the config does not name shows its id', () => {
  const [a, b] = makeVisitors(2, (i) => ({ phone: [{ phoneNumber: '+49 (30) 1234-5678' }], department: i === 1 ? 'support' : 'gone' }))
  const [, ...rows] = parseCsv(contactsCsv([a, b], [], [{ _id: 'support', name: 'Support' }]).slice(1))
  expect(rows.map((r) => [r[4], r[5]])).toEqual([['+49 (30) 1234-5678', 'Support'], ['+49 (30) 1234-5678', 'gone']])
})

function captureDownload() {
  const files: { name: string; blob: Blob }[] = []
  let blob: Blob | undefined
  vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => ((blob = b as Blob), 'blob:fake'))
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {})
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    files.push({ name: this.download, blob: blob! })
  })
  return files
}

test('Export CSV downloads every contact the current search matches, a full page per request', async () => {
  const server = fakeServer({ visitors: makeVisitors(230, (i) => ({ name: i % 2 ? `Odd ${i}` : `Even ${i}` })) })
  await mountSignedIn(server)
  await settled()
  fireEvent.input(screen.getByLabelText('Search contacts'), { target: { value: 'odd' } })
  await screen.findByText(/matching “odd”/)
  const files = captureDownload()
  const before = server.sent.length
  fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }))
  await screen.findByText('Exported 115 contacts to CSV.')
  const pages = server.sent.slice(before).map((r) => Object.fromEntries(r.params))
  expect(pages).toEqual([
    { term: 'odd', count: '100', offset: '0' },
    { term: 'odd', count: '100', offset: '100' },
  ])
  expect(files).toHaveLength(1)
  expect(files[0].name).toMatch(/^contacts-odd-\d{4}-\d{2}-\d{2}\.csv$/)
  expect(files[0].blob.type).toBe('text/csv;charset=utf-8')
  const rows = parseCsv((await files[0].blob.text()).slice(1))
  expect(rows).toHaveLength(116)
  expect(rows[1][2]).toBe('Odd 229')
  expect(rows.slice(1).every((r) => r[2].startsWith('Odd'))).toBe(true)
})

test('Export CSV: a progress status while it runs, a second click does not start another, an error is shown', async () => {
  const server = fakeServer({ visitors: makeVisitors(150) })
  await mountSignedIn(server)
  await settled()
  const files = captureDownload()
  let release!: () => void
  server.on('GET /api/v1/livechat/visitors.search', (req) =>
    req.params.get('offset') === '100' ? new Promise((r) => (release = () => r(json({ success: false, error: 'boom' }, 500)))) : undefined,
  )
  const button = screen.getByRole('button', { name: 'Export CSV' })
  fireEvent.click(button)
  await screen.findByText('Exporting contacts… 100 of 150')
  expect(button.getAttribute('aria-disabled')).toBe('true')
  fireEvent.click(button)
  release()
  expect((await screen.findByRole('alert')).textContent).toBe('Export failed: The server had a problem (HTTP 500). Try again.')
  expect(files).toEqual([])
  expect(server.requests('GET /api/v1/livechat/visitors.search').filter((r) => r.params.get('count') === '100')).toHaveLength(2)
  await waitFor(() => expect(button.getAttribute('aria-disabled')).toBeNull())
})

test('Export CSV with nothing to export still gives a file with the header', async () => {
  const server = fakeServer({ visitors: [] })
  await mountSignedIn(server)
  await settled()
  const files = captureDownload()
  fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }))
  await screen.findByText('Exported 0 contacts to CSV.')
  expect(parseCsv((await files[0].blob.text()).slice(1))).toHaveLength(1)
})
