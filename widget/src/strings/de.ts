import type { SubmitTexts } from '../../../shared/widget-texts'
import type { Strings } from '../i18n'

export default {
  openChat: 'Chat öffnen',
  closeChat: 'Chat schließen',
  title: 'Schreiben Sie uns',
  intro: 'Sagen Sie uns, wer Sie sind, und wir verbinden Sie mit einer Mitarbeiterin oder einem Mitarbeiter.',
  name: 'Name',
  email: 'E-Mail',
  phone: 'Telefon',
  department: 'Abteilung',
  choose: 'Bitte wählen…',
  optional: '(optional)',
  submit: 'Chat starten',
  loading: 'Wird geladen…',
  retrying: 'Server nicht erreichbar. Neuer Versuch…',
  unavailable: 'Der Chat ist gerade nicht verfügbar.',
  notSetUp: 'Der Chat ist auf dieser Website noch nicht eingerichtet.',
  known: 'Alles bereit. Gleich meldet sich jemand bei Ihnen.',
  knownAs: 'Alles bereit, {name}. Gleich meldet sich jemand bei Ihnen.',
} satisfies Strings

/** From the form's submit on: in the submit and chat chunks (submit-texts.ts), not in its language chunk. */
export const submit = {
  sending: 'Wird gesendet…',
  unreachable: 'Server nicht erreichbar. Ihre Eingaben bleiben erhalten.',
  tryAgain: 'Erneut versuchen',
  fixErrors: 'Bitte korrigieren Sie die markierten Felder.',
  required: 'Dieses Feld ist erforderlich.',
  invalidEmail: 'Bitte geben Sie eine gültige E-Mail-Adresse ein.',
  invalidValue: 'Dieser Wert wird nicht akzeptiert.',
  tooLong: 'Dieser Text ist zu lang.',
  humanCheck: 'Bitte schließen Sie die Sicherheitsprüfung ab.',
} satisfies SubmitTexts
