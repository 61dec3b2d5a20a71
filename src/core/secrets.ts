/**
 * Every secret the process learns (NEMO_TOKEN, anonymous tokens) is registered here, and every line the
 * process writes (logs, errors, CLI output) passes through `redact`, so a token can never leak through a
 * path nobody thought of, such as an error message that quotes a request.
 */
const secrets = new Set<string>();
const MIN_SECRET_LENGTH = 6;

export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  // Catch bearer headers even for tokens never registered (e.g. quoted back by a server).
  return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{6,}/g, '$1[redacted]');
}

/** For tests only. */
export function clearSecrets(): void {
  secrets.clear();
}
