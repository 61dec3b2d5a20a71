import type { EmulatorOptions } from './types.js';

export type ResolvedOptions = Required<Omit<EmulatorOptions, 'workDir' | 'seed'>> & {
  workDir?: string;
  seed?: number;
};

export const DEFAULT_MAX_UPLOAD_BYTES = 500 * 1024 * 1024;

export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    workDir: options.workDir,
    credits: options.credits ?? 100,
    registeredTokens: options.registeredTokens ?? [],
    textlessRate: options.textlessRate ?? 0.3,
    seed: options.seed,
    sseShape: options.sseShape ?? 'mixed',
    renderShape: options.renderShape ?? 'mixed',
    messageField: options.messageField ?? 'mixed',
    uploadShape: options.uploadShape ?? 'mixed',
    authErrorStyle: options.authErrorStyle ?? 'mixed',
    renderPolls: options.renderPolls ?? 3,
    heartbeatMs: options.heartbeatMs ?? 40,
    instructionMs: options.instructionMs ?? 250,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    creditsPerInstruction: options.creditsPerInstruction ?? 1,
    renderIndexAtEnd: options.renderIndexAtEnd ?? false,
  };
}
