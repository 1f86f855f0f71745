import { screen, waitFor } from '@testing-library/preact'
import { expect, test } from 'vitest'
import { pickLanguage } from '../../widget/src/i18n'
import { mountWidget, stubServer } from './support'

test('the language is the first candidate we have, matching by primary subtag', () => {
  expect(pickLanguage(undefined, 'de-AT')).toBe('de')
  expect(pickLanguage('es-MX')).toBe('es')
  expect(pickLanguage('pt')).toBe('pt-BR')
  expect(pickLanguage('pt-PT')).toBe('pt-BR')
  expect(pickLanguage('PT-br')).toBe('pt-BR')
  expect(pickLanguage('fr-FR', 'ja', 'es')).toBe('es')
  expect(pickLanguage('fr')).toBe('en')
  expect(pickLanguage()).toBe('en')
})

test('the form speaks the chosen language', async () => {
  stubServer()
  mountWidget({ lang: 'pt-BR' })
  expect(await screen.findByLabelText('Nome')).toBeTruthy()
  expect(screen.getByLabelText('Telefone (opcional)')).toBeTruthy()
  expect(screen.getByRole('button', { name: 'Iniciar chat' })).toBeTruthy()
  expect(screen.getAllByRole('button', { name: 'Fechar chat' })).toHaveLength(2) // launcher and panel
})

test('setLanguage switches the open form without losing what was typed', async () => {
  stubServer()
  const { widget } = mountWidget()
  const name = (await screen.findByLabelText('Name')) as HTMLInputElement
  name.value = 'Ana'
  name.dispatchEvent(new Event('input', { bubbles: true }))
  widget.setLanguage('de-DE')
  expect(await screen.findByRole('button', { name: 'Chat starten' })).toBeTruthy()
  expect((screen.getByLabelText('E-Mail') as HTMLInputElement).type).toBe('email')
  expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Ana')
  widget.setLanguage('es')
  expect(await screen.findByRole('button', { name: 'Iniciar chat' })).toBeTruthy()
  expect(screen.getByLabelText('Correo electrónico')).toBeTruthy()
})

test("the widget is marked with its language, so screen readers read it in that language", async () => {
  stubServer()
  const { widget } = mountWidget({ lang: 'de' })
  const dialog = await screen.findByRole('dialog')
  expect(dialog.closest('[lang]')!.getAttribute('lang')).toBe('de')
  widget.setLanguage('pt-BR')
  await waitFor(() => expect(dialog.closest('[lang]')!.getAttribute('lang')).toBe('pt-BR'))
})
