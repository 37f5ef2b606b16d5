/** Class labels: from an array, a one-label-per-line text file, or a JSON file (array or id → label map). */
import { PipelineError } from '../errors.js';
import { readText, type FileSource } from './resources.js';

/** Labels as given by a caller: the list itself, or a file holding it. */
export type LabelsSource = readonly string[] | FileSource;

/**
 * Loads labels. Text files hold one label per line (index = line number − 1, trailing blank
 * lines ignored); `.json` files hold an array or an object such as `{"0": "tench", …}` (the
 * `id2label` of a Hugging Face config also works when passed alone).
 */
export async function loadLabels(src: LabelsSource): Promise<string[]> {
  if (Array.isArray(src)) return checkLabels([...src as string[]], 'labels array');
  const text = await readText(src as FileSource, 'labels file', 'ERR_LABELS');
  const name = typeof src === 'string' ? src : src instanceof URL ? src.href : 'labels bytes';
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) return checkLabels(parseJsonLabels(trimmed, name), name);
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  return checkLabels(lines, name);
}

function parseJsonLabels(text: string, name: string): string[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new PipelineError('ERR_LABELS', `labels file "${name}" is not valid JSON: ${(e as Error).message}`);
  }
  if (v && typeof v === 'object' && !Array.isArray(v) && 'id2label' in v) v = (v as { id2label: unknown }).id2label;
  if (Array.isArray(v)) return v.map(String);
  if (v && typeof v === 'object') {
    const out: string[] = [];
    for (const [k, label] of Object.entries(v)) {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0) throw new PipelineError('ERR_LABELS', `labels file "${name}": key "${k}" is not a class index`);
      out[i] = String(label);
    }
    return Array.from(out, (l, i) => l ?? `LABEL_${i}`);
  }
  throw new PipelineError('ERR_LABELS', `labels file "${name}" must hold an array or an index → label object`);
}

function checkLabels(labels: string[], name: string): string[] {
  if (labels.length === 0) throw new PipelineError('ERR_LABELS', `${name} holds no labels`);
  return labels;
}

/** Checks that a model's class count matches the labels; names both counts when not. */
export function checkLabelCount(labels: readonly string[] | undefined, classes: number, output: string): void {
  if (labels && labels.length !== classes) {
    throw new PipelineError('ERR_LABELS', `the labels list has ${labels.length} entries but model output "${output}" has ${classes} classes`);
  }
}

/** The label of class `i`, or `LABEL_i` when no labels were given. */
export function labelOf(labels: readonly string[] | undefined, i: number): string {
  return labels?.[i] ?? `LABEL_${i}`;
}
