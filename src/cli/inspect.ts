/** `wasmnn inspect`: what a model takes and returns, its opsets, ops and parameters. */
import { readModelSource } from '../load/source.js';
import { decodeModel } from '../onnx/decode.js';
import { formatType } from '../graph/infer.js';
import type { GraphProto } from '../onnx/model.js';
import { WASM_NATIVE_OPS } from '../backends/wasm/index.js';
import { defaultRegistry } from '../ops/index.js';

export async function inspect(path: string): Promise<string> {
  const { bytes } = await readModelSource(path);
  const m = decodeModel(bytes);
  const g = m.graph;
  const lines: string[] = [];
  lines.push(`model     ${path} (${(bytes.length / 1024).toFixed(1)} KiB, IR ${m.irVersion}${m.producerName ? `, from ${m.producerName} ${m.producerVersion}` : ''})`);
  lines.push(`opsets    ${m.opsetImports.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')}`);
  const inits = new Set(g.initializerNames);
  lines.push('inputs');
  for (const i of g.inputs.filter((x) => !inits.has(x.name))) lines.push(`  ${i.name}: ${formatType(i.type)}`);
  lines.push('outputs');
  for (const o of g.outputs) lines.push(`  ${o.name}: ${formatType(o.type)}`);
  const hist = new Map<string, number>();
  countOps(g, hist);
  let params = 0, pbytes = 0;
  for (const t of g.initializers) { params += t.size; pbytes += (t.data as { byteLength?: number }).byteLength ?? 0; }
  lines.push(`params    ${params.toLocaleString('en-US')} in ${g.initializers.length} initializers (${(pbytes / 1048576).toFixed(2)} MiB)`);
  // Per op: js runs every op it knows with its reference kernel; wasm has engine kernels for some
  // (and may fuse others into them), the rest fall back to the reference kernels.
  lines.push('ops       count  op                         js         wasm (float32)');
  const native = new Set(WASM_NATIVE_OPS);
  for (const [op, n] of [...hist].sort((a, b) => b[1] - a[1])) {
    const [domain, type] = op.includes('::') ? op.split('::') as [string, string] : ['', op];
    const known = defaultRegistry.known(domain, type);
    const js = known ? 'reference' : 'UNSUPPORTED';
    const wasm = !known ? 'UNSUPPORTED' : native.has(`${domain}::${type}`) ? 'native' : 'reference';
    lines.push(`          ${String(n).padStart(5)}  ${op.padEnd(26)} ${js.padEnd(10)} ${wasm}`);
  }
  return lines.join('\n');
}

function countOps(g: GraphProto, hist: Map<string, number>): void {
  for (const n of g.nodes) {
    const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}::${n.opType}` : n.opType;
    hist.set(key, (hist.get(key) ?? 0) + 1);
    for (const a of n.attributes) {
      if (a.g) countOps(a.g, hist);
      for (const sg of a.graphs ?? []) countOps(sg, hist);
    }
  }
}
