/** A JSON `Response` as the API answers, for tests that stub `fetch`; 204 carries no body. */
export function json(status: number, body: unknown): Response {
  if (status === 204) return new Response(null, { status });
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
