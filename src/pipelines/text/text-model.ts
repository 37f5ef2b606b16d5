/** What the text pipelines share: loading a tokenizer and turning encodings into model feeds. */
import { PipelineError } from '../../errors.js';
import type { InferenceSession } from '../../runtime/session.js';
import { Tensor } from '../../tensor.js';
import { readText, type FileSource } from '../resources.js';
import { Tokenizer } from '../tokenizers/index.js';

/** A tokenizer: a loaded {@link Tokenizer}, or a `tokenizer.json` / BERT `vocab.txt` file. */
export type TokenizerSource = Tokenizer | FileSource;

/** Loads a tokenizer; files ending in `.txt` are read as WordPiece vocabularies. */
export async function loadTokenizer(src: TokenizerSource | undefined, task: string): Promise<Tokenizer> {
  if (src === undefined) throw new PipelineError('ERR_PIPELINE_OPTION', `${task} needs options.tokenizer (a tokenizer.json or vocab.txt file, or a Tokenizer)`);
  if (src instanceof Tokenizer) return src;
  const text = await readText(src, 'tokenizer file', 'ERR_PIPELINE_OPTION');
  const name = typeof src === 'string' ? src : src instanceof URL ? src.href : '';
  return name.endsWith('.txt') || !text.trimStart().startsWith('{') ? Tokenizer.fromVocabTxt(text) : Tokenizer.fromJSON(text);
}

/** Tokenises `texts` and builds int64 feeds for the model's input_ids / attention_mask / token_type_ids inputs. */
export function textFeeds(session: InferenceSession, tokenizer: Tokenizer, texts: readonly string[], maxLength?: number) {
  const names = session.inputNames;
  const ids = names.find((n) => /input_ids|^ids$/.test(n)) ?? names[0]!;
  const mask = names.find((n) => /attention_mask/.test(n));
  const types = names.find((n) => /token_type_ids|segment_ids/.test(n));
  const known = [ids, mask, types].filter(Boolean);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) throw new PipelineError('ERR_PIPELINE_MODEL', `text pipelines feed input_ids, attention_mask and token_type_ids; the model also wants ${unknown.join(', ')}`);
  // A model with a fixed sequence length gets every text padded (and truncated) to it.
  const fixed = session.inputMetadata.find((m) => m.name === ids)?.shape?.[1];
  const length = typeof fixed === 'number' ? fixed : maxLength;
  const enc = tokenizer.encodeBatch(texts, {
    truncation: length ? { maxLength: length } : undefined,
    padding: typeof fixed === 'number' ? { length: fixed } : {},
  });
  const seq = enc[0]!.ids.length;
  const tensor = (pick: (e: (typeof enc)[number]) => number[]) => new Tensor('int64', BigInt64Array.from(enc.flatMap(pick), BigInt), [texts.length, seq]);
  const feeds: Record<string, Tensor> = { [ids]: tensor((e) => e.ids) };
  if (mask) feeds[mask] = tensor((e) => e.attentionMask);
  if (types) feeds[types] = tensor((e) => e.typeIds);
  return { feeds, encodings: enc, seq };
}
