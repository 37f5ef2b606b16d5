/**
 * Activations that stay in engine memory between the engine's Conv kernels.
 * A kernel's output is written into one of a few engine slots and returned as a
 * tensor whose JS copy is made only when something reads `data`; the next Conv
 * kernel finds its input already in the engine and skips both copies. In
 * ResNet and MobileNet almost every activation goes Conv → Conv, so most are
 * never copied out at all.
 *
 * Safety: a slot is reused only when its tensors are unreachable, already copied
 * out, or read by every reader in their graph (counted when the kernel is made);
 * otherwise they are copied out first. Reads from other graphs (subgraphs) never
 * count, so values they see are copied out before their slot is reused. A view op
 * (Reshape, Flatten, …) adds a tensor of other dims over the same slot (alias).
 */
import type { IrGraph } from '../../graph/ir.js';
import { useCounts } from '../../graph/passes/uses.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { copyOut } from './io.js';

/** A tensor over a slot, and whether its data has been copied out. */
interface Owner {
  ref: WeakRef<Tensor>;
  copied: () => boolean;
}

interface Slot {
  ptr: number;
  bytes: number;
  /** The value the slot holds: its kernel's output and any views of it. */
  owners: Owner[];
  graph: IrGraph | undefined;
  /** Reads still expected by the owners' graph. */
  pending: number;
  lastUse: number;
}

/** More slots than a ResNet block keeps live (block input, 3 convs, shortcut). */
const MAX_SLOTS = 8;

class Residency {
  private readonly slots: Slot[] = [];
  private readonly where = new WeakMap<Tensor, Slot>();
  private clock = 0;

  constructor(private readonly engine: Engine) {}

  /** The slot t lives in, if any. */
  private slotOf(t: Tensor | undefined): Slot | undefined {
    const s = t && this.where.get(t);
    return s && s.owners.some((o) => o.ref.deref() === t) ? s : undefined;
  }

  /** Engine address of t's data when t lives in a slot. */
  find(t: Tensor | undefined): number | undefined {
    return this.slotOf(t)?.ptr;
  }

  /** One read of t by a kernel of graph g is done; after the last, t's slot is free. */
  consumed(t: Tensor | undefined, g: IrGraph): void {
    const s = this.slotOf(t);
    if (s && s.graph === g) s.pending--;
  }

  /** A slot of at least `bytes` that is not at any address in `keep`, freeing or copying out its owner. */
  claim(bytes: number, keep: readonly (number | undefined)[]): Slot {
    const busy = (s: Slot) => s.pending > 0 && s.owners.some((o) => o.ref.deref() !== undefined && !o.copied());
    const open = this.slots.filter((s) => !keep.includes(s.ptr));
    let s = open.find((c) => !busy(c) && c.bytes >= bytes) ?? open.find((c) => !busy(c));
    // Past the limit only when this call itself reads every slot (a wide Concat): one more slot.
    if (!s && (this.slots.length < MAX_SLOTS || open.length === 0)) {
      s = { ptr: 0, bytes: 0, owners: [], graph: undefined, pending: 0, lastUse: 0 };
      this.slots.push(s);
    }
    if (!s) {
      // All slots hold live values: copy out the least recently used one.
      s = open.reduce((a, b) => (a.lastUse <= b.lastUse ? a : b));
      for (const o of s.owners) void o.ref.deref()?.data;
    }
    if (s.bytes < bytes) {
      s.bytes = Math.max(bytes, 1 << 16);
      s.ptr = this.engine.alloc(s.bytes);
    }
    s.owners = [];
    s.lastUse = ++this.clock;
    return s;
  }

  /** The float32 output of a kernel of graph g held in slot s, read `readers` times in g. */
  publish(s: Slot, dims: readonly number[], size: number, g: IrGraph, readers: number): Tensor {
    s.owners = [];
    s.graph = g;
    s.pending = readers;
    return this.lazyTensor(s, dims, size);
  }

  /**
   * A tensor of other dims over the slot of x (resident, same size), read `readers` times in g;
   * undefined when x is not resident for graph g (its readers are counted elsewhere).
   */
  alias(x: Tensor, dims: readonly number[], g: IrGraph, readers: number): Tensor | undefined {
    const s = this.slotOf(x);
    if (!s || s.graph !== g) return undefined;
    s.pending += readers;
    return this.lazyTensor(s, dims, x.size);
  }

  /** A float32 tensor over slot s whose JS copy is made on the first read of `data`. */
  private lazyTensor(s: Slot, dims: readonly number[], size: number): Tensor {
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
      data: { enumerable: true, get: () => (data ??= copyOut(engine.f32(ptr, size))) },
    });
    s.owners.push({ ref: new WeakRef(t), copied: () => data !== undefined });
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

/**
 * How many reads of `name` in g free its slot: its node inputs and subgraph references, or
 * Infinity for a graph output (a subgraph's output is fed back as the next iteration's input,
 * where reads under another name would count against it; it stays until copied or dropped).
 */
export function readersOf(g: IrGraph, name: string): number {
  if (g.outputs.some((o) => o.name === name)) return Infinity;
  let m = readerCounts.get(g);
  if (!m) readerCounts.set(g, (m = useCounts(g)));
  return m.get(name) ?? 0;
}

export type { Residency };
