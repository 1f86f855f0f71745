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
  sending: 'Wird gesendet…',
  loading: 'Wird geladen…',
  retrying: 'Server nicht erreichbar. Neuer Versuch…',
  unreachable: 'Server nicht erreichbar. Ihre Eingaben bleiben erhalten.',
  tryAgain: 'Erneut versuchen',
  unavailable: 'Der Chat ist gerade nicht verfügbar.',
  fixErrors: 'Bitte korrigieren Sie die markierten Felder.',
  required: 'Dieses Feld ist erforderlich.',
  invalidEmail: 'Bitte geben Sie eine gültige E-Mail-Adresse ein.',
  invalidValue: 'Dieser Wert wird nicht akzeptiert.',
  tooLong: 'Dieser Text ist zu lang.',
  known: (name?: string) =>
    `Alles bereit${name ? `, ${name}` : ''}. Gleich meldet sich jemand bei Ihnen.`,
} satisfies Strings
