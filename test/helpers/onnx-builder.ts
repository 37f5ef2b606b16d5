/**
 * Builds ONNX model bytes in tests, so differential tests can make any graph
 * they need without files. A minimal protobuf writer plus a fluent graph API.
 */
import { dtypeToOnnx, type DataType } from '../../src/dtype.js';
import { Tensor } from '../../src/tensor.js';

/**
 * Protobuf writer. Small fields go byte by byte into `cur`; payloads of 256 bytes or more and
 * nested messages are kept as whole chunks, so a 100 MB model (test/helpers/resnet50.ts) is
 * written with a few memcpys instead of one array element per byte.
 */
class PbWriter {
  private parts: Uint8Array[] = [];
  private cur: number[] = [];
  private size = 0; // bytes in `parts`
  /** Bytes written so far. */
  get length(): number { return this.size + this.cur.length; }
  private flush(): void {
    if (this.cur.length) { this.push(Uint8Array.from(this.cur)); this.cur = []; }
  }
  private push(b: Uint8Array): void { this.parts.push(b); this.size += b.length; }
  varint(v: number | bigint): this {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) { this.cur.push(Number(x & 0x7fn) | 0x80); x >>= 7n; }
    this.cur.push(Number(x));
    return this;
  }
  tag(field: number, wire: number): this { return this.varint(field * 8 + wire); }
  int(field: number, v: number | bigint): this { return this.tag(field, 0).varint(v); }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    if (b.length < 256) { for (const x of b) this.cur.push(x); return this; }
    this.flush();
    this.push(b.slice()); // a copy: callers may reuse their buffer before finish()
    return this;
  }
  str(field: number, s: string): this { return this.bytes(field, new TextEncoder().encode(s)); }
  msg(field: number, w: PbWriter): this {
    this.tag(field, 2).varint(w.length);
    w.flush();
    this.flush();
    for (const p of w.parts) this.push(p);
    return this;
  }
  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    for (const x of b) this.cur.push(x);
    return this;
  }
  raw(b: ArrayLike<number>): this { for (let i = 0; i < b.length; i++) this.cur.push(b[i]!); return this; }
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}

export type AttrValue = number | string | number[] | string[] | Tensor | { floats: number[] } | { float: number } | { graph: GraphBuilder };

export function tensorProto(name: string, t: Tensor): PbWriter {
  const w = new PbWriter();
  for (const d of t.dims) w.int(1, d);
  w.int(2, dtypeToOnnx(t.type));
  w.str(8, name);
  if (t.type === 'string') for (const s of t.data as string[]) w.str(6, s);
  else {
    const d = t.data as unknown as ArrayBufferView;
    w.bytes(9, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return w;
}

function typeProto(type: DataType, shape?: readonly (number | string)[]): PbWriter {
  const tt = new PbWriter().int(1, dtypeToOnnx(type));
  if (shape) {
    const sh = new PbWriter();
    for (const d of shape) sh.msg(1, typeof d === 'number' ? new PbWriter().int(1, d) : new PbWriter().str(2, d));
    tt.msg(2, sh);
  }
  return new PbWriter().msg(1, tt);
}

/** A graph under construction; also used for subgraph attributes. */
export class GraphBuilder {
  private nodes: PbWriter[] = [];
  private inits: PbWriter[] = [];
  private inputs: PbWriter[] = [];
  private outputs: PbWriter[] = [];
  private n = 0;
  constructor(readonly name = 'g') {}

  input(name: string, type: DataType, shape?: readonly (number | string)[]): string {
    this.inputs.push(new PbWriter().str(1, name).msg(2, typeProto(type, shape)));
    return name;
  }
  output(name: string, type?: DataType, shape?: readonly (number | string)[]): this {
    const w = new PbWriter().str(1, name);
    if (type) w.msg(2, typeProto(type, shape));
    this.outputs.push(w);
    return this;
  }
  init(name: string, t: Tensor): string {
    this.inits.push(tensorProto(name, t));
    return name;
  }
  /** Adds a node; returns its output names (fresh names unless given). */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs: number | string[] = 1, domain = ''): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => `${opType.toLowerCase()}_${this.n++}`) : outputs;
    const w = new PbWriter();
    for (const i of inputs) w.str(1, i);
    for (const o of outs) w.str(2, o);
    w.str(3, `${opType}_${this.n++}`).str(4, opType);
    if (domain) w.str(7, domain);
    for (const [k, v] of Object.entries(attrs)) w.msg(5, attrProto(k, v));
    this.nodes.push(w);
    return outs;
  }
  graphProto(): PbWriter {
    const g = new PbWriter();
    for (const n of this.nodes) g.msg(1, n);
    g.str(2, this.name);
    for (const i of this.inits) g.msg(5, i);
    for (const i of this.inputs) g.msg(11, i);
    for (const o of this.outputs) g.msg(12, o);
    return g;
  }
  /** Serialises a ModelProto. */
  build(opts: { opset?: number; irVersion?: number; extraOpsets?: Record<string, number> } = {}): Uint8Array {
    const m = new PbWriter().int(1, opts.irVersion ?? 8).str(2, 'wasmnn-tests');
    m.msg(7, this.graphProto());
    m.msg(8, new PbWriter().str(1, '').int(2, opts.opset ?? 17));
    for (const [d, v] of Object.entries(opts.extraOpsets ?? {})) m.msg(8, new PbWriter().str(1, d).int(2, v));
    return m.finish();
  }
}

function attrProto(name: string, v: AttrValue): PbWriter {
  const w = new PbWriter().str(1, name);
  if (typeof v === 'number') return Number.isInteger(v) ? w.int(20, 2).int(3, v) : w.int(20, 1).float(2, v);
  if (typeof v === 'string') return w.int(20, 3).str(4, v);
  if (v instanceof Tensor) return w.int(20, 4).msg(5, tensorProto('', v));
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) { w.int(20, 8); for (const s of v as string[]) w.str(9, s); return w; }
    w.int(20, 7); for (const x of v as number[]) w.int(8, x); return w;
  }
  if ('floats' in v) { w.int(20, 6); for (const x of v.floats) w.float(7, x); return w; }
  if ('float' in v) return w.int(20, 1).float(2, v.float);
  return w.int(20, 5).msg(6, v.graph.graphProto());
}

export { PbWriter };
