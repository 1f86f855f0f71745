// Fetches the strings of the widget's language when they are not built in (at start, and after
// setLanguage), then redraws in it. A chunk that could not be fetched is asked for again at the
// next change of state; meanwhile English shows.
import { languages, type Lang } from './i18n'
import { fromList } from './strings/list'
import type { Widget, WidgetState } from './widget'

/** Fetches a language chunk: its texts as a list (strings/list.ts). */
export type LoadStrings = (lang: Lang) => Promise<{ default: string[] }>

export function loadLanguageWhenNeeded(widget: Widget, load: LoadStrings) {
  const asked = new Set<Lang>()
  const check = ({ lang }: WidgetState) => {
    if (languages[lang] || asked.has(lang)) return
    asked.add(lang)
    load(lang).then(
      (chunk) => {
        languages[lang] = fromList(chunk.default)
        widget.set({})
      },
      () => asked.delete(lang),
    )
  }
  widget.on('change', check)
  check(widget.state)
}
