import type { SubmitTexts } from '../../../shared/widget-texts'
import type { Strings } from '../i18n'

export default {
  openChat: 'Abrir chat',
  closeChat: 'Cerrar chat',
  title: 'Chatea con nosotros',
  intro: 'Dinos quién eres y te pondremos en contacto con un agente.',
  name: 'Nombre',
  email: 'Correo electrónico',
  phone: 'Teléfono',
  department: 'Departamento',
  choose: 'Elige…',
  optional: '(opcional)',
  submit: 'Iniciar chat',
  loading: 'Cargando…',
  retrying: 'No se pudo contactar con el servidor. Reintentando…',
  unavailable: 'El chat no está disponible en este momento.',
  notSetUp: 'Este sitio todavía no tiene el chat configurado.',
  known: 'Todo listo. Un agente te atenderá en breve.',
  knownAs: 'Todo listo, {name}. Un agente te atenderá en breve.',
} satisfies Strings

/** From the form's submit on: in the submit and chat chunks (submit-texts.ts), not in its language chunk. */
export const submit = {
  sending: 'Enviando…',
  unreachable: 'No se pudo contactar con el servidor. Lo que escribiste se conserva.',
  tryAgain: 'Reintentar',
  fixErrors: 'Corrige los campos marcados.',
  required: 'Este campo es obligatorio.',
  invalidEmail: 'Introduce un correo electrónico válido.',
  invalidValue: 'Este valor no es válido.',
  tooLong: 'Este texto es demasiado largo.',
  humanCheck: 'Completa la verificación de seguridad.',
} satisfies SubmitTexts
