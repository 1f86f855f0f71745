// Issue 15: what the pre-chat form's submit runs is the submit chunk (submit.js), which the form
// fetches as it appears, while the visitor fills it in. A submit that comes before it arrives waits
// for it; one whose chunk cannot be fetched says so and keeps what was typed. The visitor's token is
// made at their first registration.
import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import type { Submit } from '../../widget/src/submit'
import { mountWidget, page, stubServer } from './support'

const fill = (label: RegExp | string, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } })
const submit = () => fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))

/** A submit chunk that arrives when `arrive` is called. */
function slowChunk() {
  let arrive = () => {}
  const arrived = new Promise<void>((resolve) => (arrive = resolve))
  const load = vi.fn(async (): Promise<Submit> => (await arrived, await import('../../widget/src/submit')))
  return { load, arrive }
}

test('the form takes input before the submit chunk arrives, and fetches it as it appears; a submit that comes first waits for it, then sends once', async () => {
  const server = stubServer()
  const chunk = slowChunk()
  mountWidget({ submit: chunk.load })
  await screen.findByLabelText('Name')
  expect(chunk.load).toHaveBeenCalledTimes(1)
  fill('Name', 'Ana')
  fill('Email', 'ana@example.com')
  submit()
  submit()
  await new Promise((r) => setTimeout(r, 20))
  expect(server.posts()).toHaveLength(0)
  expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Ana')
  chunk.arrive()
  expect(await screen.findByText("You're all set, Ana. An agent will be with you shortly.")).toBeTruthy()
  expect(server.posts()).toHaveLength(1)
  expect(server.posts()[0].body.visitor).toMatchObject({ name: 'Ana', email: 'ana@example.com', sourcePage: page() })
})

test('a submit before the chunk arrives, with a field wrong: its error shows once the chunk is here, and nothing is sent', async () => {
  const server = stubServer()
  const chunk = slowChunk()
  mountWidget({ submit: chunk.load })
  await screen.findByLabelText('Name')
  fill('Email', 'ana@')
  submit()
  expect(screen.queryByText('This field is required.')).toBeNull()
  chunk.arrive()
  expect(await screen.findByText('This field is required.')).toBeTruthy()
  expect(screen.getByText('Enter a valid email address.')).toBeTruthy()
  await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Name')))
  expect(server.posts()).toHaveLength(0)
})

test('a submit chunk that cannot be fetched: the submit says chat is unavailable and keeps what was typed; the next submit fetches it again and sends', async () => {
  const server = stubServer()
  const load = vi
    .fn<() => Promise<Submit>>()
    .mockRejectedValueOnce(new TypeError('Failed to fetch')) // as the form appears
    .mockRejectedValueOnce(new TypeError('Failed to fetch')) // the first submit
    .mockImplementation(() => import('../../widget/src/submit'))
  mountWidget({ submit: load })
  await screen.findByLabelText('Name')
  fill('Name', 'Ana')
  fill('Email', 'ana@example.com')
  submit()
  expect(await screen.findByText('Chat is unavailable right now.')).toBeTruthy()
  expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('ana@example.com')
  expect(server.posts()).toHaveLength(0)
  submit()
  expect(await screen.findByText("You're all set, Ana. An agent will be with you shortly.")).toBeTruthy()
  // As the form appeared, the two submits, and the registration the second one made (from the module cache in a browser).
  expect(load).toHaveBeenCalledTimes(4)
  expect(server.posts()).toHaveLength(1)
})

test("the visitor's token is made at their first registration, and it is the one registered", async () => {
  const server = stubServer()
  mountWidget()
  await screen.findByLabelText('Name')
  expect(localStorage.getItem('ecc:token')).toBeNull()
  fill('Name', 'Ana')
  fill('Email', 'ana@example.com')
  submit()
  await screen.findByText(/You're all set/)
  expect(localStorage.getItem('ecc:token')).toMatch(/^[A-Za-z0-9]{24}$/)
  expect(server.posts()[0].body.visitor.token).toBe(localStorage.getItem('ecc:token'))
})

test('a reset() while the submit chunk loads: the registration goes out, but its token is not kept and the visitor stays unknown', async () => {
  const server = stubServer()
  const chunk = slowChunk()
  const { widget } = mountWidget({ open: false, submit: chunk.load })
  const registered = widget.register({ name: 'Ana', email: 'ana@example.com' })
  widget.reset()
  chunk.arrive()
  expect(await registered).toEqual({ ok: true })
  expect(server.posts()).toHaveLength(1)
  expect(localStorage.getItem('ecc:token')).toBeNull()
  expect(localStorage.getItem('ecc:visitor')).toBeNull()
  expect(widget.state.known).toBeUndefined()
})

test('two registrations asked for at once, before the visitor has a token: one token, one request', async () => {
  const server = stubServer()
  const chunk = slowChunk()
  const { widget } = mountWidget({ open: false, submit: chunk.load })
  const both = [widget.register({ name: 'Ana' }), widget.register({ name: 'Ana' })]
  chunk.arrive()
  expect(await Promise.all(both)).toEqual([{ ok: true }, { ok: true }])
  expect(server.posts()).toHaveLength(1)
  expect(server.posts()[0].body.visitor.token).toBe(localStorage.getItem('ecc:token'))
})
