/**
 * DNS-rebinding guard: the Host header must name the address the server was configured with, or,
 * when it listens on loopback, one of the loopback names. Pure; the server applies it to every request.
 */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Splits "name:port" (and "[v6]:port"). */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

export function hostAllowed(header: string | undefined, configuredHost: string): boolean {
  if (!header) return false;
  const name = hostName(header);
  const configured = configuredHost.toLowerCase();
  // Listening on every address (allowRemote): any name reaches it; the key still guards every call.
  if (configured === '0.0.0.0' || configured === '::') return true;
  if (name === configured || `[${configured}]` === name) return true;
  return isLoopbackHost(configured) && isLoopbackHost(name);
}
