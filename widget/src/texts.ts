// What the main bundle, the submit chunk and the chat chunk do to their string tables (each keeps
// its own copy of these few bytes): put the site owner's texts over them, and fill in a name.
import type { FormTexts } from '../../shared/widget-texts'
import type { WidgetState } from './widget'

/** `base` with the site owner's texts for the widget's language (config.texts, from LIVECHAT_WIDGET_TEXTS) over it. */
export const withOwnerTexts = <T>(base: T, { lang, config }: Pick<WidgetState, 'lang' | 'config'>): T => ({ ...base, ...config?.texts?.[lang] })

/** A text with its `{name}` filled in. */
export const fill = (text: string, name: string) => text.replace('{name}', name)

/** The registered visitor's confirmation, with their name when there is one. */
export const allSet = (t: Pick<FormTexts, 'known' | 'knownAs'>, name?: string) => (name ? fill(t.knownAs, name) : t.known)
