import { ApiError } from './responses.ts'

/** Request bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 32 * 1024

const tooLarge = () => ApiError.coded('error-payload-too-large', `Request body exceeds ${MAX_BODY_BYTES} bytes`, 413)

/** `application/json`, with or without parameters such as `; charset=utf-8`. */
const isJson = (contentType: string | null) => contentType?.split(';')[0].trim().toLowerCase() === 'application/json'

/**
 * Reads a JSON body, stopping as soon as it passes the cap (Content-Length can lie or be absent).
 * Only `application/json`: other types (text/plain, forms) need no CORS preflight, so a page the
 * origin list refuses could otherwise still post from a browser.
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  if (!isJson(request.headers.get('content-type')))
    throw ApiError.coded('error-unsupported-media-type', 'The request body must be application/json', 415)
  if (Number(request.headers.get('content-length')) > MAX_BODY_BYTES) throw tooLarge()
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of (request.body ?? []) as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    if (size > MAX_BODY_BYTES) throw tooLarge()
    chunks.push(chunk)
  }
  const bytes = new Uint8Array(size)
  chunks.reduce((offset, c) => (bytes.set(c, offset), offset + c.byteLength), 0)
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes))
  } catch {
    throw ApiError.coded('error-invalid-body', 'The request body is not valid JSON')
  }
}
