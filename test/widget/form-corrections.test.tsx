// Issue 14: a field marked wrong is checked again as the visitor corrects it, so its error goes
// as soon as it is right (not at the next submit), in the pre-chat form and the offline form.
import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { beforeEach, expect, test } from 'vitest'
import { CONFIG, json, mountWidget, stubServer } from './support'
import { stubWebSocket } from './fake-ddp'

const input = (label: RegExp | string, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } })
const invalid = (label: RegExp | string) => screen.getByLabelText(label).getAttribute('aria-invalid') === 'true'

beforeEach(() => {
  stubWebSocket()
})

test('pre-chat form: each error goes as its field is corrected, the summary with the last one', async () => {
  const server = stubServer()
  mountWidget()
  await screen.findByLabelText('Name')
  input('Email', 'ana@')
  fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))
  await waitFor(() => expect(invalid('Name')).toBe(true))
  expect(invalid('Email')).toBe(true)
  expect(screen.getByText('Enter a valid email address.')).toBeTruthy()
  expect(screen.getByText('Please correct the highlighted fields.')).toBeTruthy()

  // Still wrong while typing: the error stays (and says what is wrong now).
  input('Email', 'ana@example')
  expect(invalid('Email')).toBe(true)
  input('Email', '')
  expect(screen.getByText('This field is required.', { selector: '#ecc-f1-error' })).toBeTruthy()
  input('Email', 'ana@example.com')
  await waitFor(() => expect(invalid('Email')).toBe(false))
  expect(screen.queryByText('Enter a valid email address.')).toBeNull()
  // A field that had no error gets none while typing.
  input(/^Phone/, 'x'.repeat(65))
  expect(invalid(/^Phone/)).toBe(false)
  input(/^Phone/, '')

  expect(screen.getByText('Please correct the highlighted fields.')).toBeTruthy()
  input('Name', 'Ana')
  await waitFor(() => expect(invalid('Name')).toBe(false))
  expect(screen.queryByText('Please correct the highlighted fields.')).toBeNull()
  expect(server.posts()).toHaveLength(0)
})

test('offline form: the same', async () => {
  stubServer({ 'GET /api/v1/livechat/config': json({ config: { ...CONFIG, online: false }, success: true }) })
  mountWidget({ chat: true })
  await screen.findByLabelText('Message')
  fireEvent.click(screen.getByRole('button', { name: 'Send message' }))
  await waitFor(() => expect(invalid('Message')).toBe(true))
  input('Email', 'ana@')
  expect(screen.getByText('Enter a valid email address.')).toBeTruthy()
  input('Email', 'ana@example.com')
  await waitFor(() => expect(invalid('Email')).toBe(false))
  input('Name', 'Ana')
  expect(invalid('Message')).toBe(true)
  input('Message', 'Call me')
  await waitFor(() => expect(invalid('Message')).toBe(false))
  expect(screen.queryByText('Please correct the highlighted fields.')).toBeNull()
})
