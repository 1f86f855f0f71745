import { ApiError } from './responses.ts'

/** Request bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 32 * 1024

const tooLarge = () => ApiError.coded('error-payload-too-large', `Request body exceeds ${MAX_BODY_BYTES} bytes`, 413)

/** `application/json`, with or without parameters such as `; charset=utf-8`. */
const isJson = (contentType: string | null) => contentType?.split(';')[0].trim().toLowerCase() === 'application/json'

/**
 * Reads a JSON body, never more than the cap. Only `application/json`: other types (text/plain,
 * forms) need no CORS preflight, so a page the origin list refuses could otherwise still post from
 * a browser.
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  if (!isJson(request.headers.get('content-type')))
    throw ApiError.coded('error-unsupported-media-type', 'The request body must be application/json', 415)
  const declared = request.headers.get('content-length')
  if (Number(declared) > MAX_BODY_BYTES) throw tooLarge()
  // The runtime delivers no more than a declared length, so that body is read whole (much cheaper
  // than by chunks), its size checked again all the same; without one, chunk by chunk, stopping
  // as soon as it passes the cap.
  const bytes = declared === null ? await readCapped(request.body) : new Uint8Array(await request.arrayBuffer())
  if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge()
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes))
  } catch {
    throw ApiError.coded('error-invalid-body', 'The request body is not valid JSON')
  }
}

async function readCapped(body: ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of (body ?? []) as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    if (size > MAX_BODY_BYTES) throw tooLarge()
    chunks.push(chunk)
  }
  const bytes = new Uint8Array(size)
  chunks.reduce((offset, c) => (bytes.set(c, offset), offset + c.byteLength), 0)
  return bytes
}
