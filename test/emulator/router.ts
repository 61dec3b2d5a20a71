import type { EndpointName } from './types.js';

export interface Route {
  endpoint: EndpointName | 'other';
  params: Record<string, string>;
  /** Served but not part of the documented API (the CDN copy of an upload). */
  name?: 'cdn-upload';
}

interface Pattern {
  method: string;
  regex: RegExp;
  keys: string[];
  endpoint: EndpointName | 'other';
  name?: Route['name'];
}

function pattern(
  method: string,
  path: string,
  endpoint: EndpointName | 'other',
  name?: Route['name'],
): Pattern {
  const keys: string[] = [];
  const source = path.replace(/:(\w+)/g, (_, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  return { method, regex: new RegExp(`^${source}/?$`), keys, endpoint, name };
}

const PATTERNS: Pattern[] = [
  pattern('POST', '/api/auth/anonymous-token', 'token'),
  pattern('POST', '/api/tasks/me/with-session/nemo_agent', 'session'),
  pattern('POST', '/api/upload-video/nemo_agent/me/:sid', 'upload'),
  pattern('POST', '/run_sse', 'sse'),
  pattern('GET', '/api/state/nemo_agent/me/:sid/latest', 'state'),
  pattern('POST', '/api/render/proxy/lambda', 'render-start'),
  pattern('GET', '/api/render/proxy/lambda/:id', 'render-poll'),
  pattern('GET', '/cdn/renders/:id/:file', 'download'),
  pattern('GET', '/api/credits/balance/simple', 'credits'),
  pattern('GET', '/cdn/uploads/:id/:file', 'other', 'cdn-upload'),
];

export function route(method: string, pathname: string): Route {
  // HEAD is answered like GET without a body, as node:http does by itself.
  const m = method === 'HEAD' ? 'GET' : method;
  for (const p of PATTERNS) {
    if (p.method !== m) continue;
    const found = p.regex.exec(pathname);
    if (!found) continue;
    const params: Record<string, string> = {};
    p.keys.forEach((key, i) => (params[key] = decodeURIComponent(found[i + 1] ?? '')));
    return { endpoint: p.endpoint, params, name: p.name };
  }
  return { endpoint: 'other', params: {} };
}
