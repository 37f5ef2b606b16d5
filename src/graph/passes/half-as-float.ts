/**
 * float16 models computed in float32, for backends whose kernels are float32 only (wasm).
 *
 * Each listed node whose float tensors are float16 reads float32 copies of its float16 inputs
 * (a Cast before it) and writes float32 results (a Cast back to float16 after it). Between two
 * such nodes the value stays float32: the second reads the first's float32 result directly, so
 * the Cast back is dead unless another reader, a subgraph or a graph output needs float16. float16
 * weights become float32 initializers (decoded lazily), so fusions and packed kernels see a float32
 * graph. onnxruntime's CPU provider runs float16 models the same way (casts around float32
 * kernels, back-to-back casts removed); results are closer to exact than op-by-op float16
 * rounding, and graph inputs and outputs keep their float16 type.
 */
import { fileBackedTensor, releaseStorage } from '../../onnx/lazy-tensor.js';
import type { Tensor } from '../../tensor.js';
import { halfArrayToFloat32 } from '../../util/half.js';
import { inferGraphTypes } from '../infer.js';
import { liveness, type IrGraph, type IrNode } from '../ir.js';
import { nameAllocator, newNode } from './match.js';

/** ONNX TensorProto.DataType codes used by Cast's `to`. */
const FLOAT = 1;
const FLOAT16 = 10;

/**
 * Ops (ai.onnx) whose float16 form means: compute in float32, round the result to float16. Every
 * float input and output of these is the one type parameter T (Resize's float32 `scales` stays
 * float32), so casting all float16 tensors of the node keeps it well typed.
 */
export const HALF_AS_FLOAT_OPS: ReadonlySet<string> = new Set([
  'Conv', 'ConvTranspose', 'MatMul', 'Gemm',
  'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool',
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Where',
  'Relu', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'Sigmoid', 'Tanh', 'Gelu', 'Exp', 'Erf', 'Clip',
  'Sqrt', 'Neg', 'Abs', 'Reciprocal',
  'Softmax', 'LogSoftmax', 'LayerNormalization', 'InstanceNormalization', 'BatchNormalization',
  'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceSumSquare',
  'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp',
  'Transpose', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout', 'Expand', 'Tile',
  'Concat', 'Split', 'Slice', 'Pad', 'Gather', 'Resize', 'Upsample',
]);

const OTHER_FLOATS = new Set(['float64', 'bfloat16']);

/** Rewrites float16 nodes of `ops` (default {@link HALF_AS_FLOAT_OPS}) to compute in float32; the input graph is not modified. */
export function computeHalfAsFloat(g: IrGraph, ops: ReadonlySet<string> = HALF_AS_FLOAT_OPS): IrGraph {
  const types = inferGraphTypes(g);
  const elem = (v: string) => { const t = types.get(v); return t?.kind === 'tensor' ? t.elemType : undefined; };
  const convertible = (n: IrNode): boolean => {
    if (n.domain !== '' || !ops.has(n.opType)) return false;
    const values = [...n.inputs, ...n.outputs].filter(Boolean);
    // Unknown types could hide a float16 tensor the node would then read as float32.
    if (values.some((v) => elem(v) === undefined || OTHER_FLOATS.has(elem(v)!))) return false;
    return values.some((v) => elem(v) === 'float16');
  };
  if (!g.nodes.some(convertible)) return g;

  const fresh = nameAllocator(g);
  /** The float32 twin of each float16 value that some rewritten node reads or writes. */
  const twin = new Map<string, string>();
  const initializers = new Map(g.initializers);
  const nodes: IrNode[] = [];
  for (const n of g.nodes) {
    if (!convertible(n)) { nodes.push(n); continue; }
    const inputs = n.inputs.map((x) => {
      if (!x || elem(x) !== 'float16') return x;
      let f = twin.get(x);
      if (!f) {
        f = fresh(`${x}::f32`);
        twin.set(x, f);
        const w = g.initializers.get(x);
        if (w) initializers.set(f, weightAsFloat(w));
        else nodes.push(cast(x, f, FLOAT, n));
      }
      return f;
    });
    const backs: IrNode[] = [];
    const outputs = n.outputs.map((y) => {
      if (!y || elem(y) !== 'float16') return y;
      const f = fresh(`${y}::f32`);
      twin.set(y, f);
      backs.push(cast(f, y, FLOAT16, n));
      return f;
    });
    nodes.push({ ...n, inputs, outputs }, ...backs);
  }
  return { ...g, nodes, initializers, freeAfter: liveness(nodes, new Set(g.outputs.map((o) => o.name)), initializers) };
}

/**
 * A float16 weight as float32, decoded on first read. Like the file-backed weights it comes from,
 * a backend that packs it may release its JS storage (a later read decodes again), and decoding
 * releases the float16 copy when that one can be re-read from the file: a float16 model then
 * holds its weights once, in the engine, rather than in three forms.
 */
function weightAsFloat(w: Tensor): Tensor {
  return fileBackedTensor('float32', w.dims, w.size, () => {
    const d = halfArrayToFloat32(w.data as Uint16Array);
    releaseStorage(w);
    return d;
  });
}

function cast(from: string, to: string, type: number, at: IrNode): IrNode {
  return newNode(`${at.name}/${type === FLOAT ? 'to_float' : 'to_float16'}`, 'Cast', 13, { to: type }, [from], [to],
    () => `Cast to ${type === FLOAT ? 'float32' : 'float16'} for ${at.desc} (float16 computed in float32)`);
}
