// Types of what templateWorker.js exports when required as a module (not forked).
import type { TemplateJob, TemplateJobReply } from './TemplateWorkerPool';

export function renderTemplateJob(
  job: TemplateJob,
  options?: { onSection?: (section: string) => void; maxTextLength?: number },
): TemplateJobReply | undefined;

export function isPlainSubstitution(source: string): boolean;

export function parsePlainMap(text: string): Record<string, string | number | boolean | null> | undefined;

export function renderPlainSubstitution(source: string, data: Record<string, unknown>, limits: Record<string, number>): string | undefined;
