// Boot: read how we were embedded, publish the host APIs, then render into an open shadow
// root on a host element of our own. Styles go in as constructable stylesheets, which a
// strict CSP (`style-src <our origin>`, no 'unsafe-inline') allows; no <style> or style=.
import { render } from 'preact'
import css from './styles.css?inline'
import { createApiClient } from './api-client'
import { loadChatWhenNeeded } from './chat-loader'
import { importer } from './chunks'
import { App } from './components/App'
import { installHostApis } from './host-api'
import { loadLanguageWhenNeeded } from './language-loader'
import { pickLanguage } from './i18n'
import { effectiveTheme, themeCss } from './theme'
import { createVisitorMemory } from './visitor-memory'
import { createWidget, type Theme } from './widget'

// Only valid while this script first runs, async or not.
const script = document.currentScript as HTMLScriptElement | null
const data = script?.dataset ?? {}

if (!window.LiveChat) {
  // data-api wins; Rocket.Chat's snippet names its server in RocketChat.url; else the script's own origin.
  const origin = new URL(data.api || window.RocketChat?.url || script?.src || location.href, location.href).origin
  const position = data.position === 'left' || data.position === 'right' ? data.position : undefined
  const theme: Theme = { color: data.color, title: data.title, position }

  const api = createApiClient(origin)
  const chunk = importer(script?.src || `${origin}/widget.js`)
  const widget = createWidget({
    api,
    memory: createVisitorMemory(() => localStorage),
    lang: pickLanguage(data.lang, ...(navigator.languages ?? [navigator.language])),
    theme,
    extras: () => chunk('extras.js'),
    submit: () => chunk('submit.js'),
  })
  installHostApis(widget)
  loadLanguageWhenNeeded(widget, (lang) => chunk(`strings-${lang}.js`))
  loadChatWhenNeeded(widget, api, origin, () => chunk('chat.js'))
  void widget.load()

  const mount = () => {
    const host = document.createElement('ecc-chat')
    const shadow = host.attachShadow({ mode: 'open' })
    const sheet = new CSSStyleSheet()
    const themeSheet = new CSSStyleSheet()
    sheet.replaceSync(css)
    const applyTheme = () => themeSheet.replaceSync(themeCss(effectiveTheme(widget.state)))
    applyTheme()
    widget.on('change', applyTheme)
    shadow.adoptedStyleSheets = [sheet, themeSheet]
    document.body.append(host)
    render(<App widget={widget} />, shadow)
  }
  if (document.body) mount()
  else addEventListener('DOMContentLoaded', mount)
}
