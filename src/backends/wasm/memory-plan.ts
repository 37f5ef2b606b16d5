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
      const cap = r < fixed.length ? fixed[r]! : Infinity;
      // The values of region r live with v, by offset: v may go in a gap between them, or after the last.
      const busy = inRegion[r]!.filter((j) => overlaps(values[j]!, v)).sort((a, b) => places[a]!.offset - places[b]!.offset);
      let at = 0;
      const consider = (gap: number) => {
        if (gap >= size && gap < bestGap) { best = { region: r, offset: at }; bestGap = gap; }
      };
      for (const j of busy) {
        consider(places[j]!.offset - at);
        at = Math.max(at, places[j]!.offset + up(values[j]!.bytes));
      }
      if (r < fixed.length) consider(cap - at);
      else if (!best) best = { region: r, offset: at };
    }
    places[i] = best!;
    inRegion[best!.region]!.push(i);
    if (best!.region === fixed.length) open = Math.max(open, best!.offset + size);
  }
  return { places, open };
}
