import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import { contactsCsv, csvCell, csvRow } from '../../console/src/csv'
import { FIELDS, fakeServer, json, makeVisitors, mountSignedIn, settled } from './support'

/** A small RFC 4180 reader, to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++
      else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') row.push(cell), (cell = '')
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++
    else cell += c
  }
  return rows
}

test('cells: quotes doubled, commas and line breaks quoted, plain text left alone', () => {
  expect(csvCell('plain')).toBe('plain')
  expect(csvCell('say "hi"')).toBe('"say ""hi"""')
  expect(csvCell('a,b')).toBe('"a,b"')
  expect(csvCell('line\nbreak')).toBe('"line\nbreak"')
  expect(csvCell('cr\rlf')).toBe('"cr\rlf"')
  expect(csvCell('')).toBe('')
  expect(csvRow(['a', 'b,c', ''])).toBe('a,"b,c",')
})

test('formula injection: cells starting with = + - @ (or tab, CR) get a leading quote', () => {
  expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`)
  expect(csvCell('+55 51 9999')).toBe("'+55 51 9999")
  expect(csvCell('-2+3')).toBe("'-2+3")
  expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
  expect(csvCell('\t=1')).toBe("'\t=1")
  expect(csvCell('a=1')).toBe('a=1')
})

test('contactsCsv: a BOM, a header, one CRLF row per contact, custom field columns by label, no token', () => {
  const [v] = makeVisitors(1, () => ({
    name: 'Ana, "the" boss',
    phone: [{ phoneNumber: '+55 51 1' }, { phoneNumber: '2' }],
    visitorEmails: [{ address: 'ana@example.com' }],
    department: 'sales',
    verified: true,
    livechatData: { address: 'Street 1\nFloor 2', legacy: '=cmd' },
  }))
  const text = contactsCsv([v], FIELDS)
  expect(text.startsWith('\uFEFF')).toBe(true)
  expect(text.endsWith('\r\n')).toBe(true)
  expect(text).not.toContain(v.token)
  const [header, row, ...rest] = parseCsv(text.slice(1))
  expect(rest).toEqual([])
  expect(header).toEqual(['ID', 'Username', 'Name', 'Email', 'Phone', 'Department', 'Status', 'Verified', 'Created', 'Updated', 'Address', 'Plan', 'Customer code', 'legacy'])
  expect(row).toEqual(['id1', 'guest-1', 'Ana, "the" boss', 'ana@example.com', "'+55 51 1; 2", 'sales', 'online', 'yes', v.ts, v._updatedAt, 'Street 1\nFloor 2', '', '', "'=cmd"])
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
