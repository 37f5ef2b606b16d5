/**
 * The demo page: a digit pad that works with no download, the browser's features and the chosen
 * backend, and a timing chart. Every model runs in the inference worker (client.ts).
 */
import { features } from '../../src/features.js';
import { InferenceWorker } from './client.js';
import { bitmapFromPixels, inkCounts } from './ink.js';
import { TimingChart } from './chart.js';
import { setupModelPanel, type ModelPanelState } from './model-panel.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const worker = new InferenceWorker();
const chart = new TimingChart($<HTMLCanvasElement>('chart'));
const settings = { backend: 'auto', threads: 1 };
/** Set for tests and curious users: the last digit result and how the digits model was loaded. */
const state: { digit?: number; probs?: number[]; backend?: string; reason?: string; error?: string; panel?: ModelPanelState } = {};
(window as unknown as { wasmnnDemo: typeof state }).wasmnnDemo = state;

// ---- digits ----
const pad = $<HTMLCanvasElement>('pad');
const ctx = pad.getContext('2d', { willReadFrequently: true })!;
let digitsReady: Promise<void> | undefined;

function loadDigits(): Promise<void> {
  digitsReady = worker.create('digits', new URL('/models/digits.onnx', location.href).href, settings.backend, settings.threads).then((r) => {
    state.backend = r.backend;
    state.reason = r.reason;
    $('backend-reason').textContent = `Backend: ${r.backend}: ${r.reason}. Digit model loaded in ${r.ms.toFixed(0)} ms.`;
  }, (e: Error) => { state.error = e.message; $('digit-info').textContent = `Could not load the digit model: ${e.message}`; });
  return digitsReady;
}

let busy = false, again = false;
async function classifyDrawing(): Promise<void> {
  if (busy) { again = true; return; }
  busy = true;
  try {
    await digitsReady;
    const img = ctx.getImageData(0, 0, pad.width, pad.height);
    const cells = inkCounts(bitmapFromPixels(img.data, img.width, img.height));
    if (!cells.some((v) => v > 0)) return;
    const r = await worker.run('digits', { image: { type: 'float32', dims: [1, 1, 8, 8], data: cells } });
    const logits = r.outputs.logits!.data as Float32Array;
    const probs = softmax(logits);
    const best = probs.indexOf(Math.max(...probs));
    state.digit = best;
    state.probs = probs;
    $('digit-guess').textContent = String(best);
    $('digit-bars').replaceChildren(...probs.map((p, d) => {
      const row = document.createElement('div');
      row.className = 'bar';
      row.innerHTML = `<span>${d}</span><div style="width:${(p * 100).toFixed(1)}%"></div><span>${(p * 100).toFixed(0)}%</span>`;
      return row;
    }));
    chart.add(r.ms);
  } catch (e) {
    $('digit-info').textContent = `Inference failed: ${(e as Error).message}`;
  } finally {
    busy = false;
    if (again) { again = false; void classifyDrawing(); }
  }
}

function softmax(x: ArrayLike<number>): number[] {
  const m = Math.max(...Array.from(x));
  const e = Array.from(x, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function setupPad(): void {
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineWidth = 18;
  ctx.strokeStyle = '#000';
  let last: [number, number] | undefined;
  const at = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
  };
  pad.addEventListener('pointerdown', (e) => { pad.setPointerCapture(e.pointerId); last = at(e); ctx.beginPath(); ctx.arc(last[0], last[1], 9, 0, 2 * Math.PI); ctx.fill(); });
  pad.addEventListener('pointermove', (e) => {
    if (!last) return;
    const p = at(e);
    ctx.beginPath(); ctx.moveTo(last[0], last[1]); ctx.lineTo(p[0], p[1]); ctx.stroke();
    last = p;
    void classifyDrawing();
  });
  const end = () => { if (last) { last = undefined; void classifyDrawing(); } };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  $('clear').addEventListener('click', () => {
    ctx.clearRect(0, 0, pad.width, pad.height);
    $('digit-guess').textContent = '?';
    $('digit-bars').replaceChildren();
    state.digit = undefined;
  });
}

// ---- features ----
const FEATURE_NAMES: Record<string, string> = {
  webassembly: 'WebAssembly', simd: 'SIMD (128-bit)', relaxedSimd: 'Relaxed SIMD (FMA)', threads: 'Threads (shared memory)',
  memory64: 'Memory64', exceptions: 'Exception handling', webgpu: 'WebGPU', webnn: 'WebNN',
  crossOriginIsolated: 'Cross-origin isolated (COOP/COEP)', hardwareConcurrency: 'Logical cores',
};
function showFeatures(): void {
  const f = features() as unknown as Record<string, boolean | number>;
  (state as { features?: unknown }).features = f;
  $('feature-table').replaceChildren(...Object.entries(FEATURE_NAMES).map(([k, name]) => {
    const v = f[k];
    const tr = document.createElement('tr');
    const td = (t: string, cls?: string) => { const c = document.createElement('td'); c.textContent = t; if (cls) c.className = cls; return c; };
    tr.append(td(name), typeof v === 'boolean' ? td(v ? 'yes' : 'no', v ? 'yes' : 'no') : td(String(v ?? '?')));
    return tr;
  }));
}

// ---- settings ----
function setupSettings(): void {
  const threads = $<HTMLSelectElement>('threads');
  const max = Math.max(1, navigator.hardwareConcurrency || 1);
  for (let n = 1; n <= Math.min(max, 16); n++) threads.add(new Option(String(n), String(n)));
  const reload = () => {
    settings.backend = $<HTMLSelectElement>('backend').value;
    settings.threads = Number(threads.value);
    void loadDigits().then(() => classifyDrawing());
  };
  $('backend').addEventListener('change', reload);
  threads.addEventListener('change', reload);
}

showFeatures();
setupPad();
setupSettings();
state.panel = setupModelPanel(worker, chart, settings);
void loadDigits();
