/**
 * "Your model": drop (or pick, or give a URL for) an ONNX model plus an image, labels or a
 * tokenizer; the chosen task's pipeline runs in the worker and the answer is drawn here.
 */
import type { InferenceWorker } from './client.js';
import type { TimingChart } from './chart.js';
import type { DemoPipelineOptions, DemoTask } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface Detection { label: string; score: number; box: { x1: number; y1: number; x2: number; y2: number } }
interface Classification { label: string; score: number; index: number }

const PREP: Record<string, DemoPipelineOptions['preprocess']> = {
  unit: {},
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  caffe: { channels: 'bgr', rescale: 1 },
  ssd: { rescale: 1, mean: [127, 127, 127], std: [128, 128, 128] },
};

/** What the panel has been given, and the results, for tests. */
export interface ModelPanelState {
  model?: string;
  backend?: string;
  results?: unknown;
  error?: string;
  progress: { phase: string; loaded: number; total?: number }[];
}

export function setupModelPanel(worker: InferenceWorker, chart: TimingChart, settings: { backend: string; threads: number }): ModelPanelState {
  const state: ModelPanelState = { progress: [] };
  let model: { name: string; bytes?: ArrayBuffer; url?: string } | undefined;
  let labels: ArrayBuffer | undefined, tokenizer: ArrayBuffer | undefined;
  let image: ImageBitmap | undefined;
  let loadedKey = '';
  const info = (t: string) => { $('model-info').textContent = t; };
  const progress = $<HTMLProgressElement>('progress');

  worker.onProgress = (p) => {
    if (p.key !== 'user-model') return;
    state.progress.push({ phase: p.phase, loaded: p.loaded, total: p.total });
    progress.hidden = false;
    if (p.total) { progress.max = p.total; progress.value = p.loaded; } else progress.removeAttribute('value');
    info(`${p.phase}: ${(p.loaded / 1e6).toFixed(1)}${p.total ? ` of ${(p.total / 1e6).toFixed(1)}` : ''} MB`);
  };

  const task = () => $<HTMLSelectElement>('task').value as DemoTask;
  const syncControls = () => {
    $('decoder-label').hidden = task() !== 'object-detection';
    $('prep-label').hidden = task() === 'text-classification';
    $('text-row').hidden = task() !== 'text-classification';
  };

  async function ensurePipeline(): Promise<boolean> {
    if (!model) { info('Drop an .onnx model first.'); return false; }
    const options: DemoPipelineOptions = {
      labels: labels?.slice(0), tokenizer: tokenizer?.slice(0),
      decoder: $<HTMLSelectElement>('decoder').value as DemoPipelineOptions['decoder'], preprocess: PREP[$<HTMLSelectElement>('prep').value],
    };
    const key = JSON.stringify([model.name, task(), options.decoder, $<HTMLSelectElement>('prep').value, labels?.byteLength, tokenizer?.byteLength, settings]);
    if (key === loadedKey) return true;
    if (task() === 'text-classification' && !tokenizer) { info('Text classification needs the model\'s tokenizer.json or vocab.txt: drop it too.'); return false; }
    state.progress = [];
    info(`Loading ${model.name}…`);
    try {
      const src = model.url ?? model.bytes!.slice(0);
      const r = await worker.pipeline('user-model', task(), src, settings.backend, settings.threads, options);
      loadedKey = key;
      state.model = model.name;
      state.backend = r.backend;
      info(`${model.name}: ${r.inputs.map((i) => `${i.name} ${i.type ?? ''}[${(i.shape ?? []).map((d) => d ?? '?').join(', ')}]`).join(', ')}; ${r.backend}; loaded in ${r.ms.toFixed(0)} ms`);
      return true;
    } catch (e) {
      state.error = (e as Error).message;
      info(`Could not load ${model.name}: ${(e as Error).message}`);
      return false;
    } finally {
      progress.hidden = true;
    }
  }

  async function infer(): Promise<void> {
    if (!(await ensurePipeline())) return;
    try {
      if (task() === 'text-classification') {
        const text = $<HTMLTextAreaElement>('text').value.trim();
        if (!text) return;
        const r = await worker.infer('user-model', { text });
        chart.add(r.ms);
        const res = r.result as { labels: Classification[] };
        state.results = res.labels;
        showList(res.labels);
        return;
      }
      if (!image) { info('Now drop an image.'); return; }
      const c = document.createElement('canvas');
      c.width = image.width;
      c.height = image.height;
      const g = c.getContext('2d')!;
      g.drawImage(image, 0, 0);
      const px = g.getImageData(0, 0, c.width, c.height);
      const r = await worker.infer('user-model', { image: { data: px.data, width: px.width, height: px.height } });
      chart.add(r.ms);
      state.results = r.result;
      $('view').replaceChildren(c);
      if (task() === 'object-detection') drawBoxes(c, r.result as Detection[]);
      else showList(r.result as Classification[]);
    } catch (e) {
      state.error = (e as Error).message;
      info(`Inference failed: ${(e as Error).message}`);
    }
  }

  function showList(cs: readonly Classification[]) {
    const ol = document.createElement('ol');
    for (const c of cs) {
      const li = document.createElement('li');
      li.textContent = `${c.label} — ${(c.score * 100).toFixed(1)}%`;
      ol.append(li);
    }
    $('results').replaceChildren(ol);
  }

  function drawBoxes(c: HTMLCanvasElement, ds: readonly Detection[]) {
    const g = c.getContext('2d')!;
    g.lineWidth = Math.max(2, c.width / 250);
    g.font = `${Math.max(12, c.width / 40)}px system-ui, sans-serif`;
    for (const d of ds) {
      const { x1, y1, x2, y2 } = d.box;
      g.strokeStyle = '#ff3b30';
      g.strokeRect(x1, y1, x2 - x1, y2 - y1);
      const text = `${d.label} ${(d.score * 100).toFixed(0)}%`;
      g.fillStyle = '#ff3b30';
      g.fillRect(x1, Math.max(0, y1 - 18), g.measureText(text).width + 8, 18);
      g.fillStyle = '#fff';
      g.fillText(text, x1 + 4, Math.max(13, y1 - 4));
    }
    $('results').textContent = `${ds.length} object(s): ${ds.map((d) => d.label).join(', ') || 'none above the threshold'}`;
  }

  async function take(files: Iterable<File>) {
    for (const f of files) {
      const name = f.name.toLowerCase();
      if (name.endsWith('.onnx')) { model = { name: f.name, bytes: await f.arrayBuffer() }; loadedKey = ''; }
      else if (f.type.startsWith('image/')) image = await createImageBitmap(f);
      else if (/tokenizer.*\.json$|vocab.*\.txt$/.test(name)) { tokenizer = await f.arrayBuffer(); loadedKey = ''; }
      else if (name.endsWith('.txt') || name.endsWith('.json')) { labels = await f.arrayBuffer(); loadedKey = ''; }
      else info(`Not sure what ${f.name} is: drop an .onnx model, an image, labels (.txt) or a tokenizer.`);
    }
    await infer();
  }

  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); void take(Array.from(e.dataTransfer?.files ?? [])); });
  $<HTMLInputElement>('files').addEventListener('change', (e) => void take(Array.from((e.target as HTMLInputElement).files ?? [])));
  $('load-url').addEventListener('click', () => {
    const url = $<HTMLInputElement>('model-url').value.trim();
    if (!url) return;
    model = { name: url.split('/').pop() || url, url: new URL(url, location.href).href };
    loadedKey = '';
    void infer();
  });
  for (const id of ['task', 'decoder', 'prep']) $(id).addEventListener('change', () => { syncControls(); void infer(); });
  $('classify-text').addEventListener('click', () => void infer());
  syncControls();
  return state;
}
