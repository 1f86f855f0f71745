// The pre-chat form's texts from its submit on (sending, the fields' errors, the give-up message…)
// in the widget's four languages, the owner's texts over them. In the submit chunk, which runs the
// submit, and the chat chunk, whose offline form shows them too: the main bundle and the language
// chunks carry only what the form shows before.
import type { SubmitTexts } from '../../shared/widget-texts'
import type { Lang } from './i18n'
import { submit as de } from './strings/de'
import { submit as en } from './strings/en'
import { submit as es } from './strings/es'
import { submit as ptBR } from './strings/pt-BR'
import { withOwnerTexts } from './texts'
import type { WidgetState } from './widget'

const LANGUAGES: Record<Lang, SubmitTexts> = { en, 'pt-BR': ptBR, es, de }

export const submitTexts = (state: Pick<WidgetState, 'lang' | 'config'>): SubmitTexts => withOwnerTexts(LANGUAGES[state.lang], state)
