import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { expect, test } from 'vitest'
import { SESSION_ENDED } from '../../console/src/components/App'
import { MESSAGES } from '../../console/src/contact-form'
import { fakeServer, json, listed, makeVisitors, mountSignedIn, openContact, settled, type FakeServer } from './support'

const ANA = makeVisitors(1, () => ({
  _id: 'ana1',
  name: 'Ana Souza',
  username: 'guest-7',
  token: 'anaToken123',
  visitorEmails: [{ address: 'ana@example.com' }],
  phone: [{ phoneNumber: '+55 51 1234' }],
  department: 'support',
  verified: true as const,
  livechatData: { address: 'Rua 1', plan: 'Pro', legacy: 'kept from an old field' },
}))[0]

/** The definition list as label → text. */
const fields = (list: HTMLElement) =>
  Object.fromEntries([...list.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling!.textContent]))

async function openAna(server: FakeServer, username = 'maria') {
  await mountSignedIn(server, username)
  await settled()
  await openContact('Ana Souza')
}

test('a contact shows every field, livechatData included, labelled from the server config', async () => {
  const server = fakeServer({ visitors: [{ ...ANA, contactManager: { username: 'maria' } } as typeof ANA] })
  await openAna(server)
  expect(Object.fromEntries(server.requests('GET /api/v1/livechat/visitors.info')[0].params)).toEqual({ visitorId: 'ana1' })
  const [details, custom] = document.querySelectorAll('dl')
  expect(fields(details)).toMatchObject({
    Name: 'Ana Souza',
    Username: 'guest-7',
    Email: 'ana@example.com',
    Phone: '+55 51 1234',
    Department: 'Support (support)',
    Status: 'online',
    Verified: 'Yes: the site vouched for this visitor',
    'Contact ID': 'ana1',
    Token: 'anaToken123',
    contactManager: '{"username":"maria"}',
  })
  expect(fields(details).Created).toBeTruthy()
  expect(details.querySelector('time')!.getAttribute('datetime')).toBe(ANA.ts)
  expect(fields(custom)).toEqual({ Address: 'Rua 1', Plan: 'Pro', 'Customer code': 'Not set', legacy: 'kept from an old field' })
  // Focus moves to the heading that names the contact.
  await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'Ana Souza' })))
})

test('where the contact came from and the consent it gave: the page as a link that tells it nothing, the text agreed and when', async () => {
  const at = '2026-03-04T05:06:07.000Z'
  const server = fakeServer({
    visitors: [{ ...ANA, sourcePage: { url: 'https://shop.example/pricing?plan=pro', title: 'Pricing — Shop' }, consent: { text: 'You may store my data.', at } }],
  })
  await openAna(server)
  const [details] = document.querySelectorAll('dl')
  expect(fields(details)['Came from']).toBe('Pricing — Shophttps://shop.example/pricing?plan=pro')
  const link = screen.getByRole('link', { name: 'Pricing — Shop' })
  expect(link.getAttribute('href')).toBe('https://shop.example/pricing?plan=pro')
  expect(link.getAttribute('rel')).toBe('noopener noreferrer')
  expect(link.getAttribute('target')).toBe('_blank')
  expect(fields(details).Consent).toMatch(/^Agreed .+ to: You may store my data\.$/)
  expect(details.querySelector(`time[datetime="${at}"]`)).toBeTruthy()
  // Neither is among the raw extra fields.
  expect(Object.keys(fields(details))).not.toContain('sourcePage')
  expect(Object.keys(fields(details))).not.toContain('consent')
})

test('a source page that is not http(s) is shown as text, never a link; a contact without either shows Not set', async () => {
  const server = fakeServer({
    visitors: [
      { ...ANA, sourcePage: { url: 'javascript:alert(1)', title: 'Click me' } },
      { ...ANA, _id: 'bo2', name: 'Bo', token: 'boToken', sourcePage: { url: 'data:text/html,<b>x</b>', title: '' } },
      { ...ANA, _id: 'cy3', name: 'Cy', token: 'cyToken' },
    ],
  })
  await openAna(server)
  expect(fields(document.querySelector('dl')!)['Came from']).toBe('Click mejavascript:alert(1)')
  expect(screen.queryByRole('link', { name: /Click me|javascript/ })).toBeNull()
  for (const [name, shown] of [['Bo', 'data:text/html,<b>x</b>'], ['Cy', 'Not set']]) {
    location.hash = '#/'
    await settled()
    await openContact(name)
    expect(fields(document.querySelector('dl')!)['Came from']).toBe(shown)
    expect(document.querySelector('dl a[href]')).toBeNull()
  }
  expect(fields(document.querySelector('dl')!).Consent).toBe('Not set')
})

test('loading, then a contact that no longer exists', async () => {
  const server = fakeServer({ visitors: [ANA] })
  await mountSignedIn(server)
  await settled()
  server.visitors.length = 0
  fireEvent.click(screen.getByRole('link', { name: 'Ana Souza' }))
  expect(await screen.findByText('Loading the contact…')).toBeTruthy()
  expect((await screen.findByRole('alert')).textContent).toBe('This contact does not exist, or it was erased.')
  expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Contact not found')
  expect(screen.getByRole('link', { name: '← All contacts' })).toBeTruthy()
})

test('an error loading a contact offers Try again', async () => {
  const server = fakeServer({ visitors: [ANA] })
  let fail = true
  server.on('GET /api/v1/livechat/visitors.info', () => (fail ? 'network-error' : undefined))
  await mountSignedIn(server)
  await settled()
  fireEvent.click(screen.getByRole('link', { name: 'Ana Souza' }))
  expect((await screen.findByRole('alert')).textContent).toMatch(/^Couldn't load this contact: Can't reach the server/)
  fail = false
  fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
  await screen.findByRole('heading', { level: 1, name: 'Ana Souza' })
})

test('Edit: a form built from the config, prefilled; Save sends contacts.update with the id and only the changed fields, and shows the contact it returns', async () => {
  const server = fakeServer({ visitors: [{ ...ANA, contactManager: { username: 'maria' } }] })
  await openAna(server)
  fireEvent.click(screen.getByRole('button', { name: 'Edit' }))
  const name = screen.getByLabelText('Name') as HTMLInputElement
  await waitFor(() => expect(document.activeElement).toBe(name))
  expect(name.value).toBe('Ana Souza')
  expect((screen.getByLabelText('Email (optional)') as HTMLInputElement).value).toBe('ana@example.com')
  expect((screen.getByLabelText('Phone (optional)') as HTMLInputElement).value).toBe('+55 51 1234')
  expect((screen.getByLabelText('Address (optional)') as HTMLInputElement).value).toBe('Rua 1')
  const plan = screen.getByLabelText('Plan (optional)') as HTMLSelectElement
  expect([plan.tagName, plan.value, [...plan.options].map((o) => o.value)]).toEqual(['SELECT', 'Pro', ['', 'Free', 'Pro']])

  fireEvent.input(name, { target: { value: '  Ana Maria Souza ' } })
  fireEvent.input(screen.getByLabelText('Email (optional)'), { target: { value: ' Ana.Maria@Example.COM ' } })
  fireEvent.input(screen.getByLabelText('Phone (optional)'), { target: { value: '' } })
  fireEvent.input(screen.getByLabelText('Customer code (optional)'), { target: { value: 'ABC' } })
  fireEvent.input(plan, { target: { value: 'Free' } })
  // Typed and put back: unchanged, so not sent.
  fireEvent.input(screen.getByLabelText('Address (optional)'), { target: { value: 'Rua 2' } })
  fireEvent.input(screen.getByLabelText('Address (optional)'), { target: { value: 'Rua 1 ' } })
  fireEvent.click(screen.getByRole('button', { name: 'Save' }))
  await screen.findByText('Changes saved.')
  // By id only: no token, no contact manager, no untouched field; never the upsert.
  expect(server.requests('POST /api/v1/omnichannel/contacts.update').map((r) => r.body)).toEqual([
    { contactId: 'ana1', name: 'Ana Maria Souza', emails: ['ana.maria@example.com'], phones: [], customFields: { plan: 'Free', code: 'ABC' } },
  ])
  expect(server.requests('POST /api/v1/omnichannel/contact')).toEqual([])
  expect(server.visitors[0]).toMatchObject({ contactManager: { username: 'maria' }, token: 'anaToken123', livechatData: { address: 'Rua 1', legacy: 'kept from an old field' } })
  // The view shows the contact the answer carried, with no second read.
  expect(server.requests('GET /api/v1/livechat/visitors.info')).toHaveLength(1)
  expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Ana Maria Souza')
  const [details, custom] = document.querySelectorAll('dl')
  expect(fields(details)).toMatchObject({ Email: 'ana.maria@example.com', Phone: 'Not set', contactManager: '{"username":"maria"}' })
  expect(fields(custom)).toEqual({ Address: 'Rua 1', Plan: 'Free', 'Customer code': 'ABC', legacy: 'kept from an old field' })
  await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Edit' })))
})

test('Edit: Save with nothing changed sends the id alone, so nothing is overwritten', async () => {
  const server = fakeServer({ visitors: [ANA] })
  await openAna(server)
  fireEvent.click(screen.getByRole('button', { name: 'Edit' }))
  fireEvent.click(screen.getByRole('button', { name: 'Save' }))
  await screen.findByText('Changes saved.')
  expect(server.requests('POST /api/v1/omnichannel/contacts.update')[0].body).toEqual({ contactId: 'ana1' })
})

test('Edit of a contact erased meanwhile: a clear message, the typed values kept, nothing stored', async () => {
  const server = fakeServer({ visitors: [ANA] })
  await openAna(server)
  fireEvent.click(screen.getByRole('button', { name: 'Edit' }))
  fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Ana Typed' } })
  fireEvent.input(screen.getByLabelText('Email (optional)'), { target: { value: 'typed@example.com' } })
  server.visitors.length = 0 // Erased by someone else while the form is open.
  fireEvent.click(screen.getByRole('button', { name: 'Save' }))
  expect((await screen.findByRole('alert')).textContent).toBe('This contact was erased or no longer exists. Nothing was saved.')
  expect(server.requests('POST /api/v1/omnichannel/contacts.update')[0].body).toMatchObject({ contactId: 'ana1' })
  expect(server.requests('POST /api/v1/omnichannel/contact')).toEqual([])
  expect(server.visitors).toEqual([])
  expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Ana Typed')
  expect((screen.getByLabelText('Email (optional)') as HTMLInputElement).value).toBe('typed@example.com')
  expect(screen.queryByText('Changes saved.')).toBeNull()
  expect(screen.getByRole('button', { name: 'Save' }).getAttribute('aria-disabled')).toBeNull()
})

test('Edit of a contact whose token is hidden from agents (CONTACT_INCLUDE_TOKEN=false) saves by id', async () => {
  const { token: _, ...hidden } = ANA
  const server = fakeServer({ visitors: [hidden as typeof ANA] })
  await openAna(server)
  expect(fields(document.querySelector('dl')!).Token).toBe('Not set')
  fireEvent.click(screen.getByRole('button', { name: 'Edit' }))
  fireEvent.input(screen.getByLabelText('Phone (optional)'), { target: { value: '+55 51 9999' } })
  fireEvent.click(screen.getByRole('button', { name: 'Save' }))
  await screen.findByText('Changes saved.')
  expect(server.requests('POST /api/v1/omnichannel/contacts.update')[0].body).toEqual({ contactId: 'ana1', phones: ['+55 51 9999'] })
  expect(fields(document.querySelector('dl')!).Phone).toBe('+55 51 9999')
})

test('Edit: invalid values are caught with the server’s rules, linked to their field, and nothing is sent', async () => {
  const server = fakeServer({ visitors: [ANA] })
  await openAna(server)
  fireEvent.click(screen.getByRole('button', { name: 'Edit' }))
  fireEvent.input(screen.getByLabelText('Name'), { target: { value: '   ' } })
  fireEvent.input(screen.getByLabelText('Email (optional)'), { target: { value: 'not-an-email' } })
  fireEvent.input(screen.getByLabelText('Phone (optional)'), { target: { value: 'x'.repeat(65) } })
  fireEvent.input(screen.getByLabelText('Address (optional)'), { target: { value: 'bell\u0007' } })
  fireEvent.input(screen.getByLabelText('Customer code (optional)'), { target: { value: 'abc' } })
  fireEvent.click(screen.getByRole('button', { name: 'Save' }))
  const error = (label: string) => {
    const input = screen.getByLabelText(label)
    expect(input.getAttribute('aria-invalid')).toBe('true')
    return document.getElementById(input.getAttribute('aria-describedby')!)!.textContent
  }
  expect(error('Name')).toBe(MESSAGES.required)
  expect(error('Email (optional)')).toBe(MESSAGES.email)
  expect(error('Phone (optional)')).toBe(MESSAGES.tooLong(64))
  expect(error('Address (optional)')).toBe(MESSAGES.characters)
  expect(error('Customer code (optional)')).toBe(MESSAGES.invalid)
  await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Name')))
  expect(server.requests('POST /api/v1/omnichannel/contacts.update')).toEqual([])
})

test('Edit: a 400 naming a field is shown on that field; any other failure above the buttons', async () => {
  const server = fakeServer({ visitors: [ANA] })
  await openAna(server)
  server.on('POST /api/v1/omnichannel/contacts.update', () => json({ success: false, error: 'Invalid value for Address field' }, 400))
  fireEvent.click(screen.getByRole('button', { name: 'Edit' }))
  fireEvent.click(screen.getByRole('button', { name: 'Save' }))
  await waitFor(() => expect(screen.getByLabelText('Address (optional)').getAttribute('aria-invalid')).toBe('true'))
  server.on('POST /api/v1/omnichannel/contacts.update', () => json({ success: false, error: 'Internal' }, 503))
  fireEvent.click(screen.getByRole('button', { name: 'Save' }))
  expect((await screen.findByRole('alert')).textContent).toBe("Couldn't save: The server had a problem (HTTP 503). Try again.")
  // Still editing: nothing typed is lost.
  expect(screen.getByRole('button', { name: 'Save' })).toBeTruthy()
})

test('Edit: while saving, a status says so and Save does not send twice; Cancel leaves without sending', async () => {
  const server = fakeServer({ visitors: [ANA] })
  await openAna(server)
  let release!: () => void
  server.on('POST /api/v1/omnichannel/contacts.update', () => new Promise((r) => (release = () => r(undefined))))
  fireEvent.click(screen.getByRole('button', { name: 'Edit' }))
  fireEvent.click(screen.getByRole('button', { name: 'Save' }))
  expect(screen.getByText('Saving…')).toBeTruthy()
  expect((screen.getByLabelText('Name') as HTMLInputElement).readOnly).toBe(true)
  fireEvent.click(screen.getByRole('button', { name: 'Save' }))
  release()
  await screen.findByText('Changes saved.')
  expect(server.requests('POST /api/v1/omnichannel/contacts.update')).toHaveLength(1)

  fireEvent.click(screen.getByRole('button', { name: 'Edit' }))
  fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Changed' } })
  fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))
  expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Ana Souza')
  expect(server.requests('POST /api/v1/omnichannel/contacts.update')).toHaveLength(1)
})

test('Edit: when the field definitions could not be loaded, says so and offers Try again', async () => {
  const server = fakeServer({ visitors: [ANA] })
  let fail = true
  server.on('GET /api/v1/livechat/config', () => (fail ? json({ success: false, error: 'boom' }, 500) : undefined))
  await openAna(server)
  expect(screen.getByText(/Field names couldn't be loaded/)).toBeTruthy()
  fireEvent.click(screen.getByRole('button', { name: 'Edit' }))
  expect((await screen.findByRole('alert')).textContent).toMatch(/Couldn't load the form's fields/)
  fail = false
  fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
  expect(await screen.findByLabelText('Address (optional)')).toBeTruthy()
})

test('Edit is not offered to a monitor, who may read but not change contacts', async () => {
  const server = fakeServer({ visitors: [ANA], agents: [{ username: 'mo', password: 'monitor-pass', roles: ['livechat-monitor'] }] })
  const view = await mountSignedIn(server, 'mo')
  await settled()
  await openContact('Ana Souza')
  expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull()
  expect(screen.queryByRole('button', { name: 'Erase' })).toBeNull()
  view.unmount()
  sessionStorage.clear()
  location.hash = ''
})

test('Erase is offered to managers and admins only', async () => {
  for (const [username, offered] of [['maria', true], ['root', true], ['alex', false]] as const) {
    const server = fakeServer({ visitors: [ANA] })
    const view = await mountSignedIn(server, username)
    await settled()
    await openContact('Ana Souza')
    expect(!!screen.queryByRole('button', { name: 'Erase' })).toBe(offered)
    expect(screen.getByRole('button', { name: 'Edit' })).toBeTruthy()
    view.unmount()
    sessionStorage.clear()
    location.hash = ''
  }
})

test('Erase asks first; Cancel (or Escape) sends nothing and returns focus to Erase', async () => {
  const server = fakeServer({ visitors: [ANA] })
  await openAna(server)
  fireEvent.click(screen.getByRole('button', { name: 'Erase' }))
  const dialog = screen.getByRole('alertdialog', { name: 'Erase Ana Souza?' })
  expect(dialog.textContent).toMatch(/cannot be undone/)
  await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' })))
  fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
  await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Erase' })))
  fireEvent.click(screen.getByRole('button', { name: 'Erase' }))
  fireEvent.keyDown(screen.getByRole('alertdialog'), { key: 'Escape' })
  expect(screen.queryByRole('alertdialog')).toBeNull()
  expect(server.requests('POST /api/v1/omnichannel/contacts.delete')).toEqual([])
})

test('Erase confirmed: erased on the server, back to the list with a message, gone from it', async () => {
  const server = fakeServer({ visitors: [ANA, ...makeVisitors(2)] })
  await openAna(server)
  fireEvent.click(screen.getByRole('button', { name: 'Erase' }))
  fireEvent.click(screen.getByRole('button', { name: 'Erase for good' }))
  await screen.findByRole('heading', { name: 'Contacts' })
  expect(server.requests('POST /api/v1/omnichannel/contacts.delete')[0].body).toEqual({ contactId: 'ana1' })
  expect((await screen.findByText('Ana Souza was erased.')).getAttribute('role')).toBe('status')
  await settled()
  expect(listed()).toEqual(['Visitor 2', 'Visitor 1'])
  expect(location.hash).toBe('#/')
  expect(document.title).toBe('Contacts — Agent console')
  // The message was for that one return: gone after visiting another contact.
  await openContact('Visitor 2')
  await waitFor(() => expect(document.title).toBe('Visitor 2 — Agent console'))
  fireEvent.click(screen.getByRole('link', { name: '← All contacts' }))
  await screen.findByRole('heading', { name: 'Contacts' })
  expect(screen.queryByText('Ana Souza was erased.')).toBeNull()
})

test('Erase refused by the server (403) says so and keeps the contact', async () => {
  const server = fakeServer({ visitors: [ANA] })
  await openAna(server)
  server.on('POST /api/v1/omnichannel/contacts.delete', () =>
    json({ success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' }, 403),
  )
  fireEvent.click(screen.getByRole('button', { name: 'Erase' }))
  fireEvent.click(screen.getByRole('button', { name: 'Erase for good' }))
  expect((await screen.findByRole('alert')).textContent).toBe("Couldn't erase: You don't have permission to do that.")
  expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Ana Souza')
})

test('a 401 on opening, saving or erasing returns to sign-in with a message', async () => {
  for (const step of ['open', 'save', 'erase'] as const) {
    const server = fakeServer({ visitors: [ANA] })
    const view = await mountSignedIn(server)
    await settled()
    if (step === 'open') server.tokens.clear()
    fireEvent.click(screen.getByRole('link', { name: 'Ana Souza' }))
    if (step !== 'open') {
      await screen.findByRole('heading', { level: 1, name: 'Ana Souza' })
      server.tokens.clear()
      fireEvent.click(screen.getByRole('button', { name: step === 'save' ? 'Edit' : 'Erase' }))
      fireEvent.click(screen.getByRole('button', { name: step === 'save' ? 'Save' : 'Erase for good' }))
    }
    await screen.findByText(SESSION_ENDED)
    expect(screen.getByLabelText('Username')).toBeTruthy()
    view.unmount()
    location.hash = ''
  }
})
