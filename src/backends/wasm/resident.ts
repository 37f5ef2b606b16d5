/**
 * Activations that stay in engine memory between engine kernels, placed by the session's
 * memory plan. A kernel's output is written into a block of engine memory and returned as a
 * tensor whose JS copy is made only when something reads `data`; the next engine kernel finds
 * its input already in the engine and skips both copies. In ResNet, MobileNet and BERT almost
 * every activation goes from one engine kernel to the next, so most are never copied out.
 *
 * Placement: a run records each block's size and the claims it stays live across; at the end of
 * a run that was not planned, those lifetimes are planned (memory-plan.ts) into the regions of
 * engine memory this residency already holds, and the last region grows if the plan needs more.
 * Plans are kept per input signature; later runs with that signature put claim i at its planned
 * address: no search and no allocation. A run that strays from its plan (other shapes, a Loop's
 * other trip count) places the rest best-fit and is planned anew.
 *
 * Safety: a block's bytes are reused only when its tensors are unreachable, already copied out,
 * or read by every reader in their graph (counted when the kernel is made); a block still busy
 * where a planned block must go is copied out first. A freed block's tensors stay readable in
 * place until a claim overwrites its bytes; then they are detached, and engine kernels that
 * still read them copy them in from their JS copy. Reads from other graphs (subgraphs) never
 * count, so values they see are copied out before their bytes are reused. A view op (Reshape,
 * Flatten, …) adds a tensor of other dims over the same block (alias).
 */
import type { RunOutputs } from '../backend.js';
import type { IrGraph } from '../../graph/ir.js';
import { useCounts } from '../../graph/passes/uses.js';
import { deferredTensor, type Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { copyOut } from './io.js';
import { align16 } from './scratch.js';
import { planMemory, tightestGap } from './memory-plan.js';

/** A tensor over a block, and whether its data has been copied out. */
interface Owner {
  ref: WeakRef<Tensor>;
  copied: () => boolean;
}

/** One claim of a run: its bytes and the claims it was live across (`last` set once it is free). */
interface Claim {
  bytes: number;
  first: number;
  last?: number;
}

/** Engine memory holding one value: a kernel's output and any views of it. */
export interface Block {
  readonly ptr: number;
  readonly bytes: number;
  owners: Owner[];
  graph: IrGraph | undefined;
  /** Reads still expected by the owners' graph. */
  pending: number;
  /** The claim that made it, when made in a recorded run. */
  readonly claim?: Claim;
}

interface Region {
  readonly ptr: number;
  readonly bytes: number;
}

interface Run {
  readonly key: string;
  /** The values this run hands to its caller. */
  readonly out?: RunOutputs;
  readonly plan?: Plan;
  readonly claims: Claim[];
  /** Whether a claim left the plan (or there was none): plan this run's lifetimes at its end. */
  strayed: boolean;
}

/** A run's claim sizes and the address planned for each. */
interface Plan {
  readonly sizes: readonly number[];
  readonly ptrs: readonly number[];
}

/** Input signatures whose plans are kept (a model fed a few shapes in turn replays each). */
const MAX_PLANS = 4;
const hits = (b: Region, ptr: number, bytes: number): boolean => b.ptr < ptr + bytes && ptr < b.ptr + b.bytes;

class Residency {
  /** Blocks that may hold values, in no order. */
  private live: Block[] = [];
  /**
   * Blocks freed but not yet overwritten: their tensors stay readable in place (a value copied
   * out for a reference kernel may still feed an engine kernel) until a claim covers their bytes.
   */
  private freed: Block[] = [];
  private readonly where = new WeakMap<Tensor, Block>();
  /**
   * Engine memory for activations, in the order reserved. Only the last may grow (in place,
   * while it ends at the top of engine memory); kernels that pack weights on their first run
   * reserve memory between them.
   */
  private readonly regions: Region[] = [];
  private readonly plans = new Map<string, Plan>();
  private run?: Run;

  constructor(private readonly engine: Engine) {}

  /** The block t lives in, if any (engineCall keeps its inputs' blocks clear of its outputs). */
  holding(t: Tensor | undefined): Block | undefined {
    const b = t && this.where.get(t);
    return b && b.owners.some((o) => o.ref.deref() === t) ? b : undefined;
  }

  /** Engine address of t's data when t lives in a block. */
  find(t: Tensor | undefined): number | undefined {
    return this.holding(t)?.ptr;
  }

  /** One read of t by a kernel of graph g is done; after the last, t's block is free. */
  consumed(t: Tensor | undefined, g: IrGraph): void {
    const b = this.holding(t);
    if (b && b.graph === g) b.pending--;
  }

  /** Starts recording a run whose feeds have signature `key`; its plan, if any, places the claims. */
  beginRun(key: string, out?: RunOutputs): void {
    const plan = this.plans.get(key);
    this.run = { key, out, claims: [], plan, strayed: !plan };
  }

  /** Whether value `name` of graph g is copied out to the caller at the end of the current run. */
  handedOut(g: IrGraph, name: string): boolean {
    const out = this.run?.out;
    return out !== undefined && out.graph === g && out.names.includes(name);
  }

  /** Ends the run; one that completed off its plan is planned now, and the last region grown to fit. */
  endRun(completed: boolean): void {
    const run = this.run;
    this.run = undefined;
    if (!run || !completed || !run.strayed) return;
    const n = run.claims.length;
    const values = run.claims.map((c) => ({ bytes: c.bytes, first: c.first, last: c.last ?? n - 1 }));
    const growable = this.growable();
    const fixed = growable ? this.regions.slice(0, -1) : this.regions;
    const plan = planMemory(values, fixed.map((r) => r.bytes));
    let open: Region | undefined;
    if (growable && plan.open > growable.bytes) open = this.grow(plan.open - growable.bytes);
    else if (growable) open = growable;
    else if (plan.open > 0) open = this.reserve(plan.open);
    const ptrs = plan.places.map((p) => (p.region < fixed.length ? fixed[p.region]! : open!).ptr + p.offset);
    this.plans.delete(run.key);
    this.plans.set(run.key, { sizes: values.map((v) => v.bytes), ptrs });
    if (this.plans.size > MAX_PLANS) this.plans.delete(this.plans.keys().next().value!);
  }

  /** Bytes of engine memory held for activations, for tests and diagnostics. */
  get bytes(): number {
    return this.regions.reduce((s, r) => s + r.bytes, 0);
  }

  /** A block of `bytes` that overlaps none of `keep` (the call's resident inputs and earlier outputs). */
  claim(bytes: number, keep: readonly Block[]): Block {
    const run = this.run;
    const n = run?.claims.length ?? 0;
    // Blocks no longer busy are free from this claim on; that ends their lifetime.
    this.live = this.live.filter((b) => {
      if (keep.includes(b) || this.busy(b)) return true;
      this.end(b, n - 1);
      this.freed.push(b);
      return false;
    });
    let ptr: number | undefined;
    const planned = run?.plan;
    if (planned && planned.sizes[n] === bytes) {
      const at = planned.ptrs[n]!;
      if (!keep.some((b) => hits(b, at, bytes))) {
        this.evict(at, bytes, n);
        ptr = at;
      }
    }
    if (ptr === undefined) {
      if (run) run.strayed = true;
      ptr = this.bestFit(bytes, keep);
    }
    // Tensors over bytes this block takes are no longer there: their readers copy them in.
    this.freed = this.freed.filter((f) => {
      f.owners = hits(f, ptr, bytes) ? [] : f.owners.filter((o) => o.ref.deref() !== undefined);
      return f.owners.length > 0;
    });
    const claim = run ? { bytes, first: n } : undefined;
    if (claim) run!.claims.push(claim);
    const b: Block = { ptr, bytes, owners: [], graph: undefined, pending: 0, claim };
    this.live.push(b);
    return b;
  }

  /**
   * The float32 output of a kernel of graph g held in block b, read `readers` times in g.
   * `copy`, when the kernel already filled one, is its JavaScript copy.
   */
  publish(b: Block, dims: readonly number[], size: number, g: IrGraph, readers: number, copy?: Float32Array): Tensor {
    b.owners = [];
    b.graph = g;
    b.pending = readers;
    return this.lazyTensor(b, dims, size, copy);
  }

  /**
   * A tensor of other dims over the block of x (resident, same size), read `readers` times in g;
   * undefined when x is not resident for graph g (its readers are counted elsewhere).
   */
  alias(x: Tensor, dims: readonly number[], g: IrGraph, readers: number): Tensor | undefined {
    const b = this.holding(x);
    if (!b || b.graph !== g) return undefined;
    b.pending += readers;
    return this.lazyTensor(b, dims, x.size);
  }

  private busy(b: Block): boolean {
    return b.pending > 0 && b.owners.some((o) => o.ref.deref() !== undefined && !o.copied());
  }

  /** b is free after claim `last` of the current run. */
  private end(b: Block, last: number): void {
    if (b.claim && b.claim.last === undefined) b.claim.last = Math.max(b.claim.first, last);
  }

  /** Copies out every live block over [ptr, ptr + bytes): a value live longer than its plan said. */
  private evict(ptr: number, bytes: number, n: number): void {
    this.live = this.live.filter((b) => {
      if (!hits(b, ptr, bytes)) return true;
      for (const o of b.owners) void o.ref.deref()?.data;
      b.owners = [];
      this.end(b, n - 1);
      return false;
    });
  }

  /** The tightest gap that fits in any region, else the end of the last region grown, else a new region. */
  private bestFit(bytes: number, keep: readonly Block[]): number {
    const taken = [...this.live, ...keep.filter((b) => !this.live.includes(b))];
    let best = -1, bestGap = Infinity, tail = 0;
    for (const r of this.regions) {
      const spans = taken.filter((t) => hits(t, r.ptr, r.bytes)).map((t) => ({ start: t.ptr, end: t.ptr + t.bytes }));
      const fit = tightestGap(spans, r.ptr, r.ptr + r.bytes, bytes);
      if (fit.at >= 0 && fit.gap < bestGap) { best = fit.at; bestGap = fit.gap; }
      tail = fit.tail;
    }
    if (best >= 0) return best;
    const last = this.growable();
    if (last) {
      // tail is where the last region's free end begins.
      this.grow(tail + bytes - last.ptr - last.bytes);
      return tail;
    }
    return this.reserve(bytes).ptr;
  }

  /** The last region, when it ends at the top of engine memory (it can grow in place). */
  private growable(): Region | undefined {
    const r = this.regions[this.regions.length - 1];
    return r && r.ptr + r.bytes === this.engine.reserved ? r : undefined;
  }

  /** Grows the last region (growable) by `bytes`. */
  private grow(bytes: number): Region {
    const r = this.regions.pop()!;
    this.engine.alloc(align16(bytes));
    this.regions.push({ ptr: r.ptr, bytes: r.bytes + align16(bytes) });
    return this.regions[this.regions.length - 1]!;
  }

  /** A new region at the top of engine memory. */
  private reserve(bytes: number): Region {
    const r = { ptr: this.engine.alloc(bytes), bytes: align16(bytes) };
    this.regions.push(r);
    return r;
  }

  /** A float32 tensor over block b whose JS copy (`copy` when given) is made on the first read of `data`. */
  private lazyTensor(b: Block, dims: readonly number[], size: number, copy?: Float32Array): Tensor {
    const { engine } = this;
    const ptr = b.ptr;
    let data = copy;
    const t = deferredTensor('float32', dims, size, () => (data ??= copyOut(engine.f32(ptr, size))));
    b.owners.push({ ref: new WeakRef(t), copied: () => data !== undefined });
    this.where.set(t, b);
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
 * How many reads of `name` in g free its block: its node inputs and subgraph references, or
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
