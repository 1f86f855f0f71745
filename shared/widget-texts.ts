// The widget's languages and the keys of its visitor-facing texts: the widget's string tables are
// typed against these keys, and the Worker validates the owner's LIVECHAT_WIDGET_TEXTS with them.
// The widget imports only the languages at run time (the key lists would cost bytes for nothing).

/** The widget's languages; English is the default. */
export const WIDGET_LANGUAGES = ['en', 'pt-BR', 'es', 'de'] as const
export type WidgetLanguage = (typeof WIDGET_LANGUAGES)[number]

/** Texts of the launcher, the panel and the pre-chat form (the main bundle and the language
 * chunks, but for SubmitKey's). `{name}` stands for a name in `knownAs`. */
export const FORM_TEXT_KEYS = [
  'openChat', 'closeChat', 'title', 'intro', 'name', 'email', 'phone', 'department', 'choose', 'optional',
  'submit', 'sending', 'loading', 'retrying', 'unreachable', 'tryAgain', 'unavailable', 'notSetUp',
  'fixErrors', 'required', 'invalidEmail', 'invalidValue', 'tooLong', 'humanCheck', 'known', 'knownAs',
] as const

/** The pre-chat form's texts from its submit on: the submit and chat chunks carry them, in every
 * language (widget/src/submit-texts.ts). */
export type SubmitKey = 'sending' | 'unreachable' | 'tryAgain' | 'fixErrors' | 'required' | 'invalidEmail' | 'invalidValue' | 'tooLong' | 'humanCheck'

/** Texts of the chat and the offline form (the chat chunk). `{name}` stands for a name in
 * `servedBy` and `typing`. */
export const CHAT_TEXT_KEYS = [
  'messages', 'message', 'send', 'you', 'agent', 'servedBy', 'typing', 'pending', 'failed', 'retry',
  'endChat', 'ended', 'newChat', 'reconnecting', 'offlineIntro', 'sendMessage', 'offlineSent',
] as const

export type FormTexts = Record<Exclude<(typeof FORM_TEXT_KEYS)[number], SubmitKey>, string>
export type SubmitTexts = Record<SubmitKey, string>
export type ChatTexts = Record<(typeof CHAT_TEXT_KEYS)[number], string>

/** LIVECHAT_WIDGET_TEXTS as the widget receives it in `config.texts`: language → key → text. */
export type OwnerTexts = Partial<Record<WidgetLanguage, Partial<FormTexts & SubmitTexts & ChatTexts>>>

/** Longest owner text, in characters. */
export const OWNER_TEXT_MAX_LENGTH = 1000
