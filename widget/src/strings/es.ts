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
  sending: 'Enviando…',
  loading: 'Cargando…',
  retrying: 'No se pudo contactar con el servidor. Reintentando…',
  unreachable: 'No se pudo contactar con el servidor. Lo que escribiste se conserva.',
  tryAgain: 'Reintentar',
  unavailable: 'El chat no está disponible en este momento.',
  fixErrors: 'Corrige los campos marcados.',
  required: 'Este campo es obligatorio.',
  invalidEmail: 'Introduce un correo electrónico válido.',
  invalidValue: 'Este valor no es válido.',
  tooLong: 'Este texto es demasiado largo.',
  known: (name?: string) =>
    `Todo listo${name ? `, ${name}` : ''}. Un agente te atenderá en breve.`,
} satisfies Strings
