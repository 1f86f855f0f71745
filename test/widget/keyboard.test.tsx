import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { expect, test } from 'vitest'
import { mountWidget, stubServer } from './support'

test('the launcher is a button named "Open chat" that says whether the panel is expanded', async () => {
  stubServer()
  mountWidget({ open: false })
  const launcher = screen.getByRole('button', { name: 'Open chat' })
  expect(launcher.getAttribute('aria-expanded')).toBe('false')
  expect(screen.queryByRole('dialog')).toBeNull()
  fireEvent.click(launcher)
  expect(launcher.getAttribute('aria-expanded')).toBe('true')
  expect(launcher.getAttribute('aria-label')).toBe('Close chat')
})

test('opening from the launcher moves focus to the first field; Escape closes and returns focus to the launcher', async () => {
  stubServer()
  const { widget } = mountWidget({ open: false })
  await waitFor(() => expect(widget.state.config).toBeDefined())
  const launcher = screen.getByRole('button', { name: 'Open chat' })
  launcher.focus()
  fireEvent.click(launcher) // what Enter on a focused button does
  const dialog = await screen.findByRole('dialog', { name: 'Chat with us' })
  await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Name')))
  fireEvent.keyDown(document.activeElement!, { key: 'Escape' })
  expect(dialog.isConnected).toBe(false)
  expect(document.activeElement).toBe(launcher)
})

test('the close button in the panel also returns focus to the launcher', async () => {
  stubServer()
  mountWidget({ open: false })
  fireEvent.click(screen.getByRole('button', { name: 'Open chat' }))
  const dialog = await screen.findByRole('dialog')
  fireEvent.click(dialog.querySelector('button.close')!)
  expect(screen.queryByRole('dialog')).toBeNull()
  expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Open chat' }))
})

test('opening from the host page does not steal focus', async () => {
  stubServer()
  const { widget } = mountWidget({ open: false })
  await waitFor(() => expect(widget.state.config).toBeDefined())
  widget.open()
  await screen.findByLabelText('Name')
  await new Promise((r) => setTimeout(r, 50))
  expect(document.activeElement).toBe(document.body)
})

test('a failed first field after submit receives focus', async () => {
  stubServer()
  mountWidget()
  await screen.findByLabelText('Name')
  fireEvent.click(screen.getByRole('button', { name: 'Start chat' }))
  await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Name')))
})

test('the launcher points at the panel with aria-controls only while the panel exists', async () => {
  stubServer()
  mountWidget({ open: false })
  const launcher = screen.getByRole('button', { name: 'Open chat' })
  expect(launcher.hasAttribute('aria-controls')).toBe(false)
  fireEvent.click(launcher)
  expect(document.getElementById(launcher.getAttribute('aria-controls')!)).toBe(await screen.findByRole('dialog'))
  fireEvent.click(launcher)
  expect(launcher.hasAttribute('aria-controls')).toBe(false)
})
