// A minimal RFC 5322 / MIME message: plain text in UTF-8, base64 throughout, so no line of the
// body can be read as a header or as the end of the message. Header values are cleaned of line
// breaks and other control characters, so nothing a visitor typed can add a header.

export interface Mail {
  from: string
  to: string
  replyTo?: string
  subject: string
  text: string
  /** The Message-ID's local part: the same for every retry, so mail clients see one message. */
  id: string
}

const CRLF = '\r\n'

/** Line breaks and other control characters (C0, DEL, C1) become spaces. */
const oneLine = (value: string) => value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim()

const base64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''))

/** RFC 2047 encoded words of at most 42 bytes each (68 characters encoded, so `Subject: ` and
 * the first word fit in 78), split between characters, never inside one; plain ASCII stays as it is. */
function encodeWords(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value
  const encoder = new TextEncoder()
  const words: string[] = []
  let chunk = ''
  for (const char of value) {
    if (encoder.encode(chunk + char).length > 42) {
      words.push(chunk)
      chunk = ''
    }
    chunk += char
  }
  words.push(chunk)
  return words.map((w) => `=?UTF-8?B?${base64(encoder.encode(w))}?=`).join(`${CRLF} `)
}

export function buildMime(mail: Mail): string {
  const domain = mail.from.slice(mail.from.lastIndexOf('@') + 1)
  const body = base64(new TextEncoder().encode(mail.text.replace(/\r?\n/g, CRLF))).replace(/.{76}/g, `$&${CRLF}`)
  const headers = [
    `From: ${oneLine(mail.from)}`,
    `To: ${oneLine(mail.to)}`,
    ...(mail.replyTo ? [`Reply-To: ${oneLine(mail.replyTo)}`] : []),
    `Subject: ${encodeWords(oneLine(mail.subject))}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${oneLine(mail.id)}@${oneLine(domain)}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
  ]
  return `${headers.join(CRLF)}${CRLF}${CRLF}${body}${CRLF}`
}
