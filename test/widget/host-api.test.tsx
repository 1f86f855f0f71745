import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { expect, test, vi } from 'vitest'
import { installHostApis } from '../../widget/src/host-api'
import { mountWidget, page, stubServer } from './support'

test("Rocket.Chat's queued callbacks run with `this` as the API, and later calls run at once", async () => {
  stubServer()
  const seen: unknown[] = []
  const queued = function (this: any) {
    seen.push(typeof this.setGuestName, typeof this.registerGuest)
  }
  window.RocketChat = Object.assign(() => {}, { _: [queued], url: 'https://chat.example/livechat' }) as any
  const { widget } = mountWidget({ open: false })
  installHostApis(widget)
  expect(seen).toEqual(['function', 'function'])
  expect(window.RocketChat!.url).toBe('https://chat.example/livechat')
  window.RocketChat!(function (this: any) {
    this.maximizeWidget()
  })
  expect(widget.state.open).toBe(true)
  expect(await screen.findByRole('dialog')).toBeTruthy()
})

test('setGuestName, setGuestEmail, setCustomField and setDepartment prefill the form', async () => {
  stubServer()
  const { widget } = mountWidget()
  installHostApis(widget)
  window.RocketChat!(function (this: any) {
    this.setGuestName('Ana')
    this.setGuestEmail('ana@example.com')
    this.setCustomField('address', 'Rua A, 1')
    this.setDepartment('support')
  })
  expect(((await screen.findByLabelText('Name')) as HTMLInputElement).value).toBe('Ana')
  expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('ana@example.com')
  expect((screen.getByLabelText('Address (optional)') as HTMLInputElement).value).toBe('Rua A, 1')
  expect((screen.getByLabelText('Department (optional)') as HTMLSelectElement).value).toBe('support')
  window.RocketChat!(function (this: any) {
    this.setGuestName('Ana Souza') // after the form is shown, too
  })
  await waitFor(() => expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Ana Souza'))
})

test('setCustomField with overwrite=false keeps a value already set', () => {
  stubServer()
  const { widget } = mountWidget({ open: false })
  widget.setCustomField('address', 'first')
  widget.setCustomField('address', 'second', false)
  expect(widget.state.prefill.customFields).toEqual({ address: { value: 'first', overwrite: true } })
})

test('registerGuest sends one request with all fields, and sends nothing when called again with the same data', async () => {
  const server = stubServer()
  const { widget } = mountWidget({ open: false })
  installHostApis(widget)
  const guest = {
    token: 'host-chosen-token-123',
    name: 'Ana',
    email: 'ana@example.com',
    phone: '+5511912345678',
    department: 'sales',
    customFields: [{ key: 'address', value: 'Rua A, 1', overwrite: true }],
  }
  await window.RocketChat!.livechat!.registerGuest(guest)
  await window.RocketChat!.livechat!.registerGuest({ ...guest })
  expect(server.posts()).toHaveLength(1)
  expect(server.posts()[0].body.visitor).toEqual({ ...guest, sourcePage: page() })
  expect(localStorage.getItem('ecc:token')).toBe('host-chosen-token-123')
  expect(server.sent.filter((s) => s.method === 'GET' && s.path.startsWith('/api/v1/livechat/visitor/'))).toEqual([])
  await window.LiveChat!.register({ ...guest, name: 'Ana Souza' })
  expect(server.posts()).toHaveLength(2)
})

test('registration data is remembered across reloads, so the same registerGuest sends nothing after a reload', async () => {
  const server = stubServer()
  const first = mountWidget({ open: false })
  await first.widget.register({ name: 'Ana', email: 'ana@example.com' })
  first.unmount()
  const { widget } = mountWidget({ open: false })
  await widget.register({ name: 'Ana', email: 'ana@example.com' })
  expect(server.posts()).toHaveLength(1)
})

test('a known visitor whose name the host page changes is updated on the server', async () => {
  const server = stubServer()
  const { widget } = mountWidget({ open: false })
  await widget.register({ name: 'Ana', email: 'ana@example.com' })
  widget.setGuest({ name: 'Ana Souza' })
  await waitFor(() => expect(server.posts()).toHaveLength(2))
  expect(server.posts()[1].body.visitor).toMatchObject({ token: server.posts()[0].body.visitor.token, name: 'Ana Souza' })
})

test('show/hide and maximize/minimize fire their callbacks once per change', () => {
  stubServer()
  const { widget } = mountWidget({ open: false })
  installHostApis(widget)
  const calls: string[] = []
  window.RocketChat!(function (this: any) {
    this.onWidgetShown(() => calls.push('shown'))
    this.onWidgetHidden(() => calls.push('hidden'))
    this.onChatMaximized(() => calls.push('maximized'))
    this.onChatMinimized(() => calls.push('minimized'))
    this.maximizeWidget()
    this.maximizeWidget()
    this.minimizeWidget()
    this.hideWidget()
    this.showWidget()
  })
  expect(calls).toEqual(['maximized', 'minimized', 'hidden', 'shown'])
})

test('hideWidget removes the launcher; LiveChat.show brings it back', async () => {
  stubServer()
  const { widget } = mountWidget({ open: false })
  installHostApis(widget)
  window.RocketChat!(function (this: any) {
    this.hideWidget()
  })
  await waitFor(() => expect(screen.queryByRole('button', { name: 'Open chat' })).toBeNull())
  window.LiveChat!.show()
  expect(await screen.findByRole('button', { name: 'Open chat' })).toBeTruthy()
})

test('onPrechatFormSubmit and LiveChat.on("submit") receive the submitted data', async () => {
  stubServer()
  const { widget } = mountWidget()
  installHostApis(widget)
  const rocketChat = vi.fn()
  const liveChat = vi.fn()
  window.RocketChat!(function (this: any) {
    this.onPrechatFormSubmit(rocketChat)
  })
  window.LiveChat!.on('submit', liveChat)
  fireEvent.input(await screen.findByLabelText('Name'), { target: { value: 'Ana' } })
  fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'ana@example.com' } })
  fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))
  await waitFor(() => expect(rocketChat).toHaveBeenCalledTimes(1))
  expect(rocketChat.mock.calls[0][0]).toMatchObject({ name: 'Ana', email: 'ana@example.com' })
  expect(liveChat).toHaveBeenCalledTimes(1)
})

test('a host callback that throws does not stop the others', () => {
  stubServer()
  const { widget } = mountWidget({ open: false })
  const boom = () => {
    throw new Error('host bug')
  }
  const later = vi.fn()
  // The error is rethrown from a microtask, where the page's error reporting sees it.
  const reported = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation(() => {})
  window.RocketChat = Object.assign(() => {}, { _: [boom, later] }) as any
  installHostApis(widget)
  const reports = reported.mock.calls.length
  reported.mockRestore()
  expect(later).toHaveBeenCalledTimes(1)
  expect(reports).toBe(1)
})

test('LiveChat.reset() forgets token, registration and draft, and shows a blank form', async () => {
  stubServer()
  const { widget } = mountWidget()
  installHostApis(widget)
  fireEvent.input(await screen.findByLabelText('Name'), { target: { value: 'Ana' } })
  fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'ana@example.com' } })
  fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))
  await screen.findByText(/You're all set, Ana/)
  window.LiveChat!.reset()
  expect(['ecc:token', 'ecc:visitor', 'ecc:draft'].map((k) => localStorage.getItem(k))).toEqual([null, null, null])
  expect(((await screen.findByLabelText('Name')) as HTMLInputElement).value).toBe('')
})

test('a known visitor whose page sets the same name and email on every load is not registered again', async () => {
  const server = stubServer()
  const first = mountWidget({ open: false })
  await first.widget.register({ name: 'Ana', email: 'ana@example.com', phone: '+5511912345678', customFields: { address: { value: 'Rua A, 1', overwrite: true } } })
  first.unmount()

  const { widget } = mountWidget({ open: false })
  installHostApis(widget)
  window.RocketChat!(function (this: any) {
    this.setGuestName('Ana')
    this.setGuestEmail('ana@example.com')
  })
  await new Promise((r) => setTimeout(r, 10))
  expect(server.posts()).toHaveLength(1)
})

test('name and email the host page changes together reach the server in one request', async () => {
  const server = stubServer()
  const { widget } = mountWidget({ open: false })
  installHostApis(widget)
  await widget.register({ name: 'Ana', email: 'ana@example.com' })
  window.RocketChat!(function (this: any) {
    this.setGuestName('Ana Souza')
    this.setGuestEmail('ana@example.net')
  })
  await waitFor(() => expect(server.posts()).toHaveLength(2))
  await new Promise((r) => setTimeout(r, 10))
  expect(server.posts()).toHaveLength(2)
  expect(server.posts()[1].body.visitor).toMatchObject({ name: 'Ana Souza', email: 'ana@example.net' })
})

test('setDepartment and clearDepartment change the department picker of a form already shown', async () => {
  stubServer()
  const { widget } = mountWidget()
  installHostApis(widget)
  const department = (await screen.findByLabelText('Department (optional)')) as HTMLSelectElement
  window.RocketChat!(function (this: any) {
    this.setDepartment('support')
  })
  await waitFor(() => expect(department.value).toBe('support'))
  window.RocketChat!(function (this: any) {
    this.clearDepartment()
  })
  await waitFor(() => expect(department.value).toBe(''))
})

test('a known visitor whose department the host page changes is updated on the server', async () => {
  const server = stubServer()
  const { widget } = mountWidget({ open: false })
  await widget.register({ name: 'Ana', email: 'ana@example.com', department: 'sales' })
  installHostApis(widget)
  window.LiveChat!.setDepartment('support')
  await waitFor(() => expect(server.posts()).toHaveLength(2))
  expect(server.posts()[1].body.visitor).toMatchObject({ department: 'support' })
})
