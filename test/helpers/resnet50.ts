/**
 * ResNet-50 v1.5 as an ONNX model, built in tests because CI has no model hub and no PyTorch
 * (bench/export_models.py needs both). The layout is torchvision's: 7×7/2 stem conv + BN + Relu,
 * 3×3/2 MaxPool, bottleneck stages [3, 4, 6, 3] of widths 64/128/256/512 (×4 out), the stride on
 * the 3×3 conv, projection shortcuts with BN, Add + Relu, GlobalAveragePool, Flatten and a
 * 2048→1000 Gemm: 25,557,032 parameters, 53 Conv + 53 BatchNormalization before folding.
 *
 * Weights are seeded pseudo-random, not trained: He-scaled convs keep activations at unit scale,
 * and each block's last BN gets a small gamma (as trained ResNets do) so the residual stream does
 * not double per block. The bytes (~102 MB) are cached in the temp folder under RESNET50_VERSION.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/tensor.js';
import { GraphBuilder } from './onnx-builder.js';

/** Bump when the graph or the weights change: cached files of other versions are ignored. */
export const RESNET50_VERSION = 'v1';

/** The model's input and output. */
export const RESNET50_IO = { input: 'input', dims: [1, 3, 224, 224], output: 'logits' } as const;

/** Folder of cached test models (served by the browser tests). */
export const testModelDir = join(tmpdir(), 'wasmnn-test-models');

/** File name of the cached model inside `testModelDir`. */
export const resnet50File = `resnet50-${RESNET50_VERSION}.onnx`;

/** Seeded uniform numbers (mulberry32), filled in place: 25.6 M weights without per-element calls. */
class Uniform {
  constructor(private state: number) {}
  fill(a: Float32Array, lo: number, hi: number): Float32Array {
    let s = this.state;
    const span = (hi - lo) / 4294967296;
    for (let i = 0; i < a.length; i++) {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), s | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      a[i] = lo + ((t ^ (t >>> 14)) >>> 0) * span;
    }
    this.state = s;
    return a;
  }
  tensor(dims: number[], lo: number, hi: number): Tensor {
    return new Tensor('float32', this.fill(new Float32Array(dims.reduce((x, y) => x * y, 1)), lo, hi), dims);
  }
}

class ResNetBuilder {
  readonly g = new GraphBuilder('resnet50');
  private readonly rand: Uniform;
  constructor(seed: number) { this.rand = new Uniform(seed); }

  /** Conv (no bias) + BatchNormalization; `lastInBlock` gets the small gamma that damps the residual branch. */
  convBn(x: string, name: string, cin: number, cout: number, k: number, stride: number, lastInBlock = false): string {
    const fanIn = cin * k * k;
    const a = Math.sqrt(6 / fanIn); // He uniform: variance 2 / fanIn
    const w = this.g.init(`${name}.conv.weight`, this.rand.tensor([cout, cin, k, k], -a, a));
    const pad = (k - 1) >> 1;
    const [c] = this.g.node('Conv', [x, w], { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad] }, [`${name}.conv`]);
    const bn = (suffix: string, lo: number, hi: number) => this.g.init(`${name}.bn.${suffix}`, this.rand.tensor([cout], lo, hi));
    const scale = lastInBlock ? bn('weight', 0.2, 0.5) : bn('weight', 0.7, 1.3);
    const inputs = [c!, scale, bn('bias', -0.1, 0.1), bn('running_mean', -0.1, 0.1), bn('running_var', 0.7, 1.3)];
    return this.g.node('BatchNormalization', inputs, { epsilon: 1e-5 }, [`${name}.bn`])[0]!;
  }

  relu(x: string): string { return this.g.node('Relu', [x], {}, [`${x}.relu`])[0]!; }

  /** Bottleneck: 1×1 → 3×3 (stride here, v1.5) → 1×1 ×4, plus the shortcut, then Add + Relu. */
  bottleneck(x: string, name: string, cin: number, width: number, stride: number): string {
    const cout = width * 4;
    let y = this.relu(this.convBn(x, `${name}.1`, cin, width, 1, 1));
    y = this.relu(this.convBn(y, `${name}.2`, width, width, 3, stride));
    y = this.convBn(y, `${name}.3`, width, cout, 1, 1, true);
    const shortcut = stride !== 1 || cin !== cout ? this.convBn(x, `${name}.downsample`, cin, cout, 1, stride) : x;
    return this.relu(this.g.node('Add', [y, shortcut], {}, [`${name}.add`])[0]!);
  }

  build(): Uint8Array {
    const g = this.g;
    g.input(RESNET50_IO.input, 'float32', RESNET50_IO.dims);
    let x = this.relu(this.convBn(RESNET50_IO.input, 'stem', 3, 64, 7, 2));
    [x] = g.node('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, ['maxpool']) as [string];
    let cin = 64;
    const stages: [blocks: number, width: number][] = [[3, 64], [4, 128], [6, 256], [3, 512]];
    stages.forEach(([blocks, width], s) => {
      for (let b = 0; b < blocks; b++) {
        x = this.bottleneck(x, `layer${s + 1}.${b}`, cin, width, b === 0 && s > 0 ? 2 : 1);
        cin = width * 4;
      }
    });
    [x] = g.node('GlobalAveragePool', [x], {}, ['avgpool']) as [string];
    [x] = g.node('Flatten', [x], { axis: 1 }, ['flatten']) as [string];
    const a = 1 / Math.sqrt(2048); // torchvision's Linear init range
    const fcW = g.init('fc.weight', this.rand.tensor([1000, 2048], -a, a));
    const fcB = g.init('fc.bias', this.rand.tensor([1000], -a, a));
    g.node('Gemm', [x, fcW, fcB], { transB: 1 }, [RESNET50_IO.output]);
    g.output(RESNET50_IO.output, 'float32', [1, 1000]);
    return g.build({ opset: 17 });
  }
}

/** Builds the model bytes (~102 MB) from `seed`; prefer `resnet50Path()`, which caches them. */
export function buildResNet50(seed = 50): Uint8Array {
  return new ResNetBuilder(seed).build();
}

/** Path of the cached model, building it first when this version is not cached yet. */
export function resnet50Path(): string {
  const file = join(testModelDir, resnet50File);
  if (existsSync(file)) return file;
  mkdirSync(testModelDir, { recursive: true });
  // Written under a private name and renamed: test files run in parallel processes.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, buildResNet50());
  renameSync(tmp, file);
  return file;
}

/** The model bytes, from the cache (built on first use). */
export function resnet50Bytes(): Uint8Array {
  return readFileSync(resnet50Path());
}
