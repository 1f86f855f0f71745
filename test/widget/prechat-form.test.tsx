import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import { CONFIG, json, mountWidget, page, stubServer } from './support'

const fill = (label: RegExp, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } })
const submit = () => fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))

test('renders the fields the server config asks for, with real labels, types and autocomplete', async () => {
  stubServer()
  mountWidget()
  const name = (await screen.findByLabelText('Name')) as HTMLInputElement
  const email = screen.getByLabelText('Email') as HTMLInputElement
  const phone = screen.getByLabelText('Phone (optional)') as HTMLInputElement
  expect([name.type, name.autocomplete, name.required]).toEqual(['text', 'name', true])
  expect([email.type, email.autocomplete, email.required]).toEqual(['email', 'email', true])
  expect([phone.type, phone.autocomplete, phone.required]).toEqual(['tel', 'tel', false])
  expect(screen.getByLabelText('Address (optional)').tagName).toBe('INPUT')
  const department = screen.getByLabelText('Department (optional)') as HTMLSelectElement
  expect([...department.options].map((o) => o.text)).toEqual(['Choose…', 'Sales', 'Support'])
  expect(screen.getByRole('dialog', { name: 'Chat with us' })).toBeTruthy()
})

test('hidden registration fields are not rendered and a single department gets no picker', async () => {
  stubServer({
    'GET /api/v1/livechat/config': json({
      config: { ...CONFIG, registrationForm: { name: 'required', email: 'optional', phone: 'hidden' }, departments: [{ _id: 'sales', name: 'Sales' }] },
      success: true,
    }),
  })
  mountWidget()
  await screen.findByLabelText('Name')
  expect(screen.getByLabelText('Email (optional)')).toBeTruthy()
  expect(screen.queryByLabelText(/Phone/)).toBeNull()
  expect(screen.queryByLabelText(/Department/)).toBeNull()
})

test('a custom field with options is a select of those options', async () => {
  stubServer({
    'GET /api/v1/livechat/config': json({
      config: { ...CONFIG, customFields: [{ _id: 'plan', label: 'Plan', type: 'select', required: true, regexp: '', options: 'Free, Pro,Enterprise' }] },
      success: true,
    }),
  })
  mountWidget()
  const plan = (await screen.findByLabelText('Plan')) as HTMLSelectElement
  expect(plan.tagName).toBe('SELECT')
  expect([...plan.options].map((o) => o.value)).toEqual(['', 'Free', 'Pro', 'Enterprise'])
})

test('required and invalid fields get aria-invalid and aria-describedby pointing at their error, and nothing is sent', async () => {
  const server = stubServer()
  mountWidget()
  await screen.findByLabelText('Name')
  fill(/Email/, 'not-an-email')
  submit()
  const name = screen.getByLabelText('Name')
  const email = screen.getByLabelText('Email')
  expect(name.getAttribute('aria-invalid')).toBe('true')
  expect(document.getElementById(name.getAttribute('aria-describedby')!)!.textContent).toBe('This field is required.')
  expect(document.getElementById(email.getAttribute('aria-describedby')!)!.textContent).toBe('Enter a valid email address.')
  expect(screen.getByLabelText('Phone (optional)').hasAttribute('aria-invalid')).toBe(false)
  expect(screen.getByText('Please correct the highlighted fields.').getAttribute('role')).toBe('status')
  expect(server.posts()).toHaveLength(0)
})

test('a double click sends exactly one POST, with every field in it', async () => {
  const server = stubServer()
  mountWidget()
  await screen.findByLabelText('Name')
  fill(/Name/, '  Ana Souza ')
  fill(/Email/, 'Ana@Example.com')
  fill(/Phone/, '+55 11 91234-5678')
  fill(/Department/, 'support')
  fill(/Address/, 'Rua A, 1')
  submit()
  submit()
  await screen.findByText("You're all set, Ana Souza. An agent will be with you shortly.")
  expect(server.posts()).toHaveLength(1)
  const { visitor } = server.posts()[0].body
  expect(visitor).toEqual({
    token: expect.stringMatching(/^[A-Za-z0-9]{17,}$/),
    name: 'Ana Souza',
    email: 'ana@example.com',
    phone: '+55 11 91234-5678',
    department: 'support',
    customFields: [{ key: 'address', value: 'Rua A, 1', overwrite: true }],
    sourcePage: page(),
  })
})

test('empty optional fields are left out of the request, and a single department is sent silently', async () => {
  const server = stubServer({
    'GET /api/v1/livechat/config': json({ config: { ...CONFIG, departments: [{ _id: 'sales', name: 'Sales' }] }, success: true }),
  })
  mountWidget()
  await screen.findByLabelText('Name')
  fill(/Name/, 'Ana')
  fill(/Email/, 'ana@example.com')
  submit()
  await waitFor(() => expect(server.posts()).toHaveLength(1))
  expect(Object.keys(server.posts()[0].body.visitor)).toEqual(['token', 'name', 'email', 'department', 'sourcePage'])
  expect(server.posts()[0].body.visitor.department).toBe('sales')
})

test("the server's invalid-email error appears on the email field", async () => {
  stubServer({
    'POST /api/v1/livechat/visitor': json(
      { success: false, error: 'Invalid email ana@example.con [error-invalid-email]', errorType: 'error-invalid-email' },
      400,
    ),
  })
  mountWidget()
  await screen.findByLabelText('Name')
  fill(/Name/, 'Ana')
  fill(/Email/, 'ana@example.con')
  submit()
  await waitFor(() => expect(screen.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true'))
  expect(screen.getByText('Enter a valid email address.')).toBeTruthy()
  expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Ana')
})

test('a server error naming a custom field by label appears on that field', async () => {
  stubServer({ 'POST /api/v1/livechat/visitor': json({ success: false, error: 'Invalid value for Address field' }, 400) })
  mountWidget()
  await screen.findByLabelText('Name')
  fill(/Name/, 'Ana')
  fill(/Email/, 'ana@example.com')
  fill(/Address/, 'x')
  submit()
  await waitFor(() => expect(screen.getByLabelText('Address (optional)').getAttribute('aria-invalid')).toBe('true'))
  expect(screen.getByText('This value is not accepted.')).toBeTruthy()
})

test('a 4xx that names no field is shown in the live region and not retried', async () => {
  const server = stubServer({ 'POST /api/v1/livechat/visitor': json({ success: false, error: 'Visitor is banned' }, 403) })
  mountWidget()
  await screen.findByLabelText('Name')
  fill(/Name/, 'Ana')
  fill(/Email/, 'ana@example.com')
  submit()
  expect((await screen.findByText('Visitor is banned')).getAttribute('role')).toBe('status')
  await new Promise((r) => setTimeout(r, 50))
  expect(server.posts()).toHaveLength(1)
  expect((screen.getByRole('button', { name: 'Start chat' }) as HTMLButtonElement).disabled).toBe(false)
})

test('when the server is unreachable it says so, retries with backoff and succeeds without losing input', async () => {
  const server = stubServer({
    'POST /api/v1/livechat/visitor': ['network-error', json({}, 503), (req) => json({ visitor: { name: req.body.visitor.name }, success: true })],
  })
  mountWidget()
  await screen.findByLabelText('Name')
  vi.useFakeTimers()
  vi.spyOn(Math, 'random').mockReturnValue(0.5) // waits half their ceiling: 0.5 s, then 1 s
  fill(/Name/, 'Ana')
  fill(/Email/, 'ana@example.com')
  submit()
  await vi.advanceTimersByTimeAsync(0)
  expect(screen.getByText("Couldn't reach the server. Retrying…").getAttribute('role')).toBe('status')
  expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Ana')
  expect((screen.getByRole('button', { name: 'Start chat' }) as HTMLButtonElement).disabled).toBe(true)
  await vi.advanceTimersByTimeAsync(499)
  expect(server.posts()).toHaveLength(1)
  await vi.advanceTimersByTimeAsync(1) // after 0.5 s: a 503, so wait 1 s
  expect(server.posts()).toHaveLength(2)
  await vi.advanceTimersByTimeAsync(999)
  expect(server.posts()).toHaveLength(2)
  await vi.advanceTimersByTimeAsync(1)
  expect(server.posts()).toHaveLength(3)
  expect(screen.getByText("You're all set, Ana. An agent will be with you shortly.")).toBeTruthy()
  expect(new Set(server.posts().map((p) => JSON.stringify(p.body))).size).toBe(1)
})

test('what the visitor typed survives a reload, and is cleared once registered', async () => {
  stubServer()
  const first = mountWidget()
  await screen.findByLabelText('Name')
  fill(/Name/, 'Ana')
  fill(/Address/, 'Rua A, 1')
  first.unmount()

  mountWidget()
  expect(((await screen.findByLabelText('Name')) as HTMLInputElement).value).toBe('Ana')
  expect((screen.getByLabelText('Address (optional)') as HTMLInputElement).value).toBe('Rua A, 1')
  fill(/Email/, 'ana@example.com')
  submit()
  await screen.findByText(/You're all set, Ana/)
  expect(localStorage.getItem('ecc:draft')).toBeNull()
})

test('while sending, the fields are read-only, the form is busy and focus stays put, so what is sent is what is shown', async () => {
  let answer!: (res: Response) => void
  stubServer({ 'POST /api/v1/livechat/visitor': () => new Promise<Response>((resolve) => (answer = resolve)) })
  mountWidget()
  await screen.findByLabelText('Name')
  fill(/Name/, 'Ana')
  fill(/Email/, 'ana@example.com')
  const email = screen.getByLabelText('Email') as HTMLInputElement
  email.focus()
  const form = email.form!
  fireEvent.submit(form) // Enter in the field
  const inputs = [...form.querySelectorAll('input')]
  const select = screen.getByLabelText('Department (optional)') as HTMLSelectElement
  expect(inputs.map((i) => i.readOnly)).toEqual(inputs.map(() => true))
  expect(select.disabled).toBe(true)
  expect(form.getAttribute('aria-busy')).toBe('true')
  expect(document.activeElement).toBe(email)
  await waitFor(() => expect(answer).toBeDefined())
  answer(json({ success: false, error: 'Visitor is banned' }, 403))
  await screen.findByText('Visitor is banned')
  expect([email.readOnly, select.disabled, form.getAttribute('aria-busy')]).toEqual([false, false, 'false'])
})

test('a control character in a field shows "This value is not accepted." there, and nothing is sent', async () => {
  const server = stubServer()
  mountWidget()
  await screen.findByLabelText('Name')
  fill(/Name/, 'Ana\u0007Souza')
  fill(/Email/, 'ana@example.com')
  submit()
  const name = screen.getByLabelText('Name')
  expect(name.getAttribute('aria-invalid')).toBe('true')
  expect(document.getElementById(name.getAttribute('aria-describedby')!)!.textContent).toBe('This value is not accepted.')
  expect(server.posts()).toHaveLength(0)
})

test("a custom field the host set with overwrite=false keeps that flag unless the visitor changes it", async () => {
  const server = stubServer({
    'GET /api/v1/livechat/config': json({
      config: { ...CONFIG, customFields: [...CONFIG.customFields!, { _id: 'plan', label: 'Plan', type: 'input', required: false, regexp: '', options: '' }] },
      success: true,
    }),
  })
  const { widget } = mountWidget()
  widget.setCustomField('address', 'Rua A, 1', false)
  widget.setCustomField('plan', 'Free', false)
  await screen.findByLabelText('Name')
  fill(/Name/, 'Ana')
  fill(/Email/, 'ana@example.com')
  fill(/Plan/, 'Pro')
  submit()
  await waitFor(() => expect(server.posts()).toHaveLength(1))
  expect(server.posts()[0].body.visitor.customFields).toEqual([
    { key: 'address', value: 'Rua A, 1', overwrite: false },
    { key: 'plan', value: 'Pro', overwrite: true },
  ])
})
