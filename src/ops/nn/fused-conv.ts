/**
 * FusedConv (internal, domain com.wasmnn): Conv, plus an optional residual tensor
 * added to its output, then Relu, Clip or nothing. Made by the fusion pass so
 * backends can apply the residual and activation as the output is stored.
 * Inputs: X, W, B (may be ''), Z (optional residual). Its reference kernel is
 * Conv's, then Add (with broadcasting) and the activation, in place.
 */
import { OpError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { ADD } from '../binary/table.js';
import { pick2, zipTensors } from '../binary/zip.js';
import { defineOp } from '../op.js';
import { optTensorAt } from '../util/read.js';
import { Conv, type ConvAttrs } from './conv.js';

export interface FusedConvAttrs extends ConvAttrs {
  /** 'Relu' clamps below at 0; 'Clip' clamps to [lo, hi]; 'None' leaves the sum as is. */
  readonly activation: 'Relu' | 'Clip' | 'None';
  readonly lo: number;
  readonly hi: number;
}

/** A FusedConv's attributes for no activation. */
export const NO_ACTIVATION: Pick<FusedConvAttrs, 'activation' | 'lo' | 'hi'> = { activation: 'None', lo: -Infinity, hi: Infinity };

/** The activation's bounds [lo, hi] (±Infinity when unbounded). */
export function activationBounds(at: FusedConvAttrs): [number, number] {
  if (at.activation === 'Relu') return [0, Infinity];
  if (at.activation === 'Clip') return [at.lo, at.hi];
  return [-Infinity, Infinity];
}

export const FusedConv = defineOp<FusedConvAttrs>({
  name: 'FusedConv',
  domain: 'com.wasmnn',
  since: 1,
  halfAsFloat: true,
  run: (inputs, at, ctx) => {
    let y = Conv.run(inputs.slice(0, 3), at, ctx)[0] as Tensor;
    const z = optTensorAt(inputs, 3, 'Z');
    if (z) {
      if (z.type !== y.type) throw new OpError(`residual Z has type ${z.type} but the Conv output has type ${y.type}`);
      const same = z.dims.length === y.dims.length && z.dims.every((d, i) => d === y.dims[i]);
      if (same) {
        // The Conv output is fresh storage, so adding in place is safe.
        const d = y.data as Float32Array | Float64Array, r = z.data as Float32Array | Float64Array;
        for (let i = 0; i < d.length; i++) d[i] = d[i]! + r[i]!;
      } else {
        y = zipTensors(pick2(ADD, y.type), y, z);
      }
    }
    if (at.activation === 'None') return [y];
    const d = y.data as Float32Array | Float64Array;
    const [lo, hi] = activationBounds(at);
    // Fresh storage again; NaN stays NaN, as in Relu/Clip.
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v < lo) d[i] = lo;
      else if (v > hi) d[i] = hi;
    }
    return [y];
  },
  infer: (ins, at, ctx) => Conv.infer!(ins.slice(0, 3), at, ctx),
});
