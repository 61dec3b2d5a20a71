/** The `data` of a `{ code, data }` envelope, or the body itself when it has none. */
export function unwrap(body: unknown): unknown {
  return body !== null && typeof body === 'object' && 'data' in body
    ? (body as { data: unknown }).data
    : body;
}
