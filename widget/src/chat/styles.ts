// The chunk's stylesheet joins the main one in the widget's shadow root: constructable, like
// the main sheet, so a strict CSP (no 'unsafe-inline' styles) allows it.
import css from './chat.css?inline'

let sheet: CSSStyleSheet | undefined

export function adoptChatStyles(root: ShadowRoot | null | undefined) {
  if (!root?.adoptedStyleSheets) return
  if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(css)
  if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet]
}
