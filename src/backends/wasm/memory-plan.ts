/**
 * Places a run's activations from their lifetimes: values whose lifetimes overlap get disjoint
 * bytes, the others may share. Greedy by size, as TFLite's arena planner does: the largest
 * values are placed first, each in the tightest gap left between the values already placed
 * that it overlaps in time. Planned once per input signature, replayed every run.
 *
 * Memory comes in regions: those the engine already reserved for activations, of fixed size,
 * filled first, and one open region after them that grows as far as the plan needs (the
 * arena's new bytes). Reusing the fixed regions keeps memory that earlier runs touched in use.
 */

/** One value of a run: its bytes and the claims (numbered in run order) it stays live across. */
export interface Lifetime {
  readonly bytes: number;
  /** The claim that made it. */
  readonly first: number;
  /** The last claim made while it was still live (≥ first). */
  readonly last: number;
}

/** Where a value goes: a region (index into the fixed regions; their count for the open one) and an offset in it. */
export interface Place {
  readonly region: number;
  readonly offset: number;
}

export interface MemoryPlan {
  /** Each value's place, in the order given. */
  readonly places: readonly Place[];
  /** Bytes the open region needs. */
  readonly open: number;
}

/** Offsets are multiples of a cache line, so a value never shares a line with another. */
const ALIGN = 64;
const up = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

const overlaps = (a: Lifetime, b: Lifetime): boolean => a.first <= b.last && b.first <= a.last;

/** Bytes [start, end) of one address space. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * The tightest gap of at least `size` bytes in [from, to) clear of `taken` (any order): its start
 * `at` (-1: none fits) and size `gap`, and `tail`, where the free end after the last taken span
 * begins. Both the planner and the residency's best fit search gaps this way.
 */
export function tightestGap(taken: readonly Span[], from: number, to: number, size: number): { at: number; gap: number; tail: number } {
  let at = from, best = -1, bestGap = Infinity;
  for (const s of [...taken].sort((x, y) => x.start - y.start)) {
    const gap = s.start - at;
    if (gap >= size && gap < bestGap) { best = at; bestGap = gap; }
    at = Math.max(at, s.end);
  }
  // An open-ended range (to = Infinity) never offers its tail as a gap: callers place there last.
  const tail = to - at;
  if (tail >= size && tail < bestGap) { best = at; bestGap = tail; }
  return { at: best, gap: bestGap, tail: at };
}

/**
 * Places every value so that no two live at the same claim share a byte: in the tightest gap of
 * the fixed regions (bytes each, in order), else in the open region after them.
 */
export function planMemory(values: readonly Lifetime[], fixed: readonly number[] = []): MemoryPlan {
  const order = values.map((_, i) => i).sort((a, b) => values[b]!.bytes - values[a]!.bytes || a - b);
  const places = new Array<Place>(values.length);
  const inRegion: number[][] = Array.from({ length: fixed.length + 1 }, () => []);
  let open = 0;
  for (const i of order) {
    const v = values[i]!;
    const size = up(v.bytes);
    let best: Place | undefined;
    let bestGap = Infinity;
    for (let r = 0; r <= fixed.length; r++) {
      // The values of region r live with v: v may go in a gap between them, or after the last.
      const busy = inRegion[r]!.filter((j) => overlaps(values[j]!, v))
        .map((j) => ({ start: places[j]!.offset, end: places[j]!.offset + up(values[j]!.bytes) }));
      const fit = tightestGap(busy, 0, r < fixed.length ? fixed[r]! : Infinity, size);
      if (fit.at >= 0 && fit.gap < bestGap) { best = { region: r, offset: fit.at }; bestGap = fit.gap; }
      if (r === fixed.length && !best) best = { region: r, offset: fit.tail };
    }
    places[i] = best!;
    inRegion[best!.region]!.push(i);
    if (best!.region === fixed.length) open = Math.max(open, best!.offset + size);
  }
  return { places, open };
}
