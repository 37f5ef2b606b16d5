/**
 * Activations that stay in engine memory between the engine's Conv kernels.
 * A kernel's output is written into one of a few engine slots and returned as a
 * tensor whose JS copy is made only when something reads `data`; the next Conv
 * kernel finds its input already in the engine and skips both copies. In
 * ResNet and MobileNet almost every activation goes Conv → Conv, so most are
 * never copied out at all.
 *
 * Safety: a slot is reused only when its tensor is unreachable, already copied
 * out, or read by every reader in its graph (counted when the kernel is made);
 * otherwise it is copied out first. Reads from other graphs (subgraphs) never
 * count, so values they see are copied out before their slot is reused.
 */
import type { IrGraph } from '../../graph/ir.js';
import { useCounts } from '../../graph/passes/uses.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';

interface Slot {
  ptr: number;
  bytes: number;
  owner: WeakRef<Tensor> | undefined;
  graph: IrGraph | undefined;
  /** Reads still expected by the owner's graph. */
  pending: number;
  copied: () => boolean;
  lastUse: number;
}

/** More slots than a ResNet block keeps live (block input, 3 convs, shortcut). */
const MAX_SLOTS = 8;

class Residency {
  private readonly slots: Slot[] = [];
  private readonly where = new WeakMap<Tensor, Slot>();
  private clock = 0;

  constructor(private readonly engine: Engine) {}

  /** Engine address of t's data when t lives in a slot. */
  find(t: Tensor | undefined): number | undefined {
    const s = t && this.where.get(t);
    return s && s.owner?.deref() === t ? s.ptr : undefined;
  }

  /** One read of t by a kernel of graph g is done; after the last, t's slot is free. */
  consumed(t: Tensor | undefined, g: IrGraph): void {
    const s = t && this.where.get(t);
    if (s && s.owner?.deref() === t && s.graph === g) s.pending--;
  }

  /** A slot of at least `bytes` that is not at any address in `keep`, freeing or copying out its owner. */
  claim(bytes: number, keep: readonly (number | undefined)[]): Slot {
    const busy = (s: Slot) => {
      const t = s.owner?.deref();
      return !!t && !s.copied() && s.pending > 0;
    };
    const open = this.slots.filter((s) => !keep.includes(s.ptr));
    let s = open.find((c) => !busy(c) && c.bytes >= bytes) ?? open.find((c) => !busy(c));
    if (!s && this.slots.length < MAX_SLOTS) {
      s = { ptr: 0, bytes: 0, owner: undefined, graph: undefined, pending: 0, copied: () => true, lastUse: 0 };
      this.slots.push(s);
    }
    if (!s) {
      // All slots hold live values: copy out the least recently used one.
      s = open.reduce((a, b) => (a.lastUse <= b.lastUse ? a : b));
      void s.owner?.deref()?.data;
    }
    if (s.bytes < bytes) {
      s.bytes = Math.max(bytes, 1 << 16);
      s.ptr = this.engine.alloc(s.bytes);
    }
    s.owner = undefined;
    s.lastUse = ++this.clock;
    return s;
  }

  /** The float32 output of a kernel of graph g held in slot s, read `readers` times in g. */
  publish(s: Slot, dims: readonly number[], size: number, g: IrGraph, readers: number): Tensor {
    const { engine } = this;
    const ptr = s.ptr;
    let data: Float32Array | undefined;
    // Built without the constructor, which needs the data up front; fields match Tensor's own.
    const t = Object.create(Tensor.prototype) as Tensor;
    Object.defineProperties(t, {
      type: { value: 'float32', enumerable: true },
      dims: { value: Object.freeze([...dims]), enumerable: true },
      size: { value: size, enumerable: true },
      location: { value: 'cpu', enumerable: true },
      data: { enumerable: true, get: () => (data ??= engine.f32(ptr, size).slice()) },
    });
    s.owner = new WeakRef(t);
    s.graph = g;
    s.pending = readers;
    s.copied = () => data !== undefined;
    this.where.set(t, s);
    return t;
  }
}

const residencies = new WeakMap<Engine, Residency>();
const readerCounts = new WeakMap<IrGraph, Map<string, number>>();

/** The residency of an engine's activations (one per engine). */
export function residencyOf(engine: Engine): Residency {
  let r = residencies.get(engine);
  if (!r) residencies.set(engine, (r = new Residency(engine)));
  return r;
}

/** How many times `name` is read in g (node inputs, subgraph references, graph outputs). */
export function readersOf(g: IrGraph, name: string): number {
  let m = readerCounts.get(g);
  if (!m) readerCounts.set(g, (m = useCounts(g)));
  return m.get(name) ?? 0;
}

export type { Residency };
