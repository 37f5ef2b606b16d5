#!/usr/bin/env node
/** The `wasmnn` command line. */
import { readFile, writeFile } from 'node:fs/promises';
import { InferenceSession } from '../runtime/session.js';
import { Tensor } from '../tensor.js';
import { WasmnnError } from '../errors.js';
import { decodeValue } from '../onnx/tensor-proto.js';
import { benchModel, formatResult, measureEngine, modelInputs, syntheticFeeds, type EngineResult } from './bench.js';
import { inspect } from './inspect.js';
import { progressBar } from './progress.js';
import { classify, CliUsageError, detect, formatClassifications, formatDetections, preprocessOptions, type OptionReader } from './tasks.js';
import { decodeImage, fittedOptions, imageInputSpec, preprocessImage } from '../pipelines/image/index.js';
import { readNpy } from './npy.js';
import { halfArrayToFloat32 } from '../util/half.js';

const HELP = `wasmnn — run ONNX models with WebAssembly and JavaScript

usage:
  wasmnn inspect <model.onnx>                       inputs, outputs, opsets, ops, parameters
  wasmnn run <model.onnx> --input name=file ...     run once; files: .npy, .pb (TensorProto) or .json
        [--backend wasm|js] [--threads N] [--output out.json]   (model: path or http(s) URL)
  wasmnn bench <model.onnx> [--runs N] [--threads N]  time it: warm-up, median/min/max, load, peak memory;
        [--backend wasm,js] [--input name=file ...]   side by side with onnxruntime-node / -web when installed
        [--no-peers]                                  (each engine in its own process); inputs default to
                                                      synthetic ones built from the model's declared inputs
  wasmnn classify <image> --model <m.onnx>          top classes of a PNG/JPEG image
        [--labels labels.txt] [--top N] [--backend wasm|js] [--output out.json]
  wasmnn detect <image> --model <m.onnx>            objects with boxes in the image's pixels
        --decoder fastestdet|yolov5|yolov8|ssd [--labels labels.txt] [--score 0.25] [--iou 0.45]
        [--backend wasm|js] [--output out.json]
  image preprocessing for classify/detect (defaults: model's input size, rgb, values/255):
        [--channels rgb|bgr|grey] [--fit stretch|letterbox|crop] [--rescale 1] [--mean a,b,c] [--std a,b,c]
  wasmnn <command> --help                           that command's options and an example
  wasmnn --help

exit codes: 0 ok, 1 bad usage or input, 2 model or runtime error`;

/** What `wasmnn <command> --help` prints: usage line, options, an example. */
interface CommandHelp { usage: string; about: string; options: [string, string][]; example: string }

const IMAGE_OPTIONS: [string, string][] = [
  ['--channels rgb|bgr|grey', 'channel order the model expects (default rgb)'],
  ['--fit stretch|letterbox|crop', 'how the image is brought to the model\'s input size'],
  ['--rescale F', 'pixel scale before mean/std (default 1/255)'],
  ['--mean a,b,c  --std a,b,c', 'per-channel normalisation (default 0 and 1)'],
];

const COMMANDS: Record<string, CommandHelp> = {
  inspect: {
    usage: 'wasmnn inspect <model.onnx>', about: 'Prints a model\'s inputs, outputs, opsets, op counts (native or reference per backend) and parameters.',
    options: [], example: 'wasmnn inspect mobilenetv2.onnx',
  },
  run: {
    usage: 'wasmnn run <model.onnx> --input name=file ... [options]', about: 'Runs a model (path or http(s) URL) once and prints or writes its outputs.',
    options: [
      ['--input name=file', 'a feed from .npy, .pb (TensorProto), .json ({type, dims, data}) or a .png/.jpg image fitted to the input\'s shape; repeat per input'],
      ['--channels rgb|bgr|grey', 'image inputs: channel order (default from the input: rgb, or grey for one channel)'],
      ['--rescale R --mean a,b,c --std a,b,c', 'image inputs: (pixel · R − mean) / std (default R = 1/255, mean 0, std 1)'],
      ['--fit stretch|letterbox|crop', 'image inputs: how the image meets the input size (default stretch)'],
      ['--backend wasm|js', 'backend to use (default: the best available)'],
      ['--threads N', 'wasm threads (0 = automatic)'],
      ['--output out.json', 'write the outputs as JSON instead of printing a summary'],
    ],
    example: 'wasmnn run squeezenet.onnx --input data_0=kitten.png --channels bgr --rescale 1',
  },
  bench: {
    usage: 'wasmnn bench <model.onnx> [options]', about: 'Times a model (warm-up, median/min/max, load time, peak memory), each engine in its own process, beside onnxruntime-node / -web when installed.',
    options: [
      ['--runs N', 'timed runs after the warm-up (default 10)'],
      ['--threads N', 'threads for every engine (default 1)'],
      ['--backend wasm,js', 'wasmnn backends to time (default wasm)'],
      ['--input name=file', 'feeds as for run; default: synthetic inputs from the model\'s declared inputs'],
      ['--no-peers', 'skip the onnxruntime peers'],
    ],
    example: 'wasmnn bench resnet50.onnx --runs 20 --threads 2 --backend wasm,js',
  },
  classify: {
    usage: 'wasmnn classify <image> --model <m.onnx> [options]', about: 'Prints the top classes of a PNG/JPEG image.',
    options: [
      ['--model m.onnx', 'the classification model (required)'],
      ['--labels labels.txt', 'class names, one per line (or JSON)'],
      ['--top N', 'classes to print (default 5)'],
      ['--backend wasm|js', 'backend to use'],
      ['--output out.json', 'write the classes as JSON'],
      ...IMAGE_OPTIONS,
    ],
    example: 'wasmnn classify cat.jpg --model squeezenet.onnx --labels imagenet.txt --channels bgr --rescale 1',
  },
  detect: {
    usage: 'wasmnn detect <image> --model <m.onnx> --decoder <head> [options]', about: 'Prints the objects found in a PNG/JPEG image, boxes in the image\'s pixels.',
    options: [
      ['--model m.onnx', 'the detection model (required)'],
      ['--decoder fastestdet|yolov5|yolov8|ssd', 'the model\'s detection head (required)'],
      ['--labels labels.txt', 'class names, one per line (or JSON)'],
      ['--score F', 'minimum score (default 0.25)'],
      ['--iou F', 'non-maximum suppression overlap limit (default 0.45)'],
      ['--backend wasm|js', 'backend to use'],
      ['--output out.json', 'write the detections as JSON'],
      ...IMAGE_OPTIONS,
    ],
    example: 'wasmnn detect wolves.jpg --model fastestdet.onnx --decoder fastestdet --labels coco-80.txt --score 0.5',
  },
};

/** One command's help text, or the overview when `cmd` is not a command. */
function helpFor(cmd: string | undefined): string {
  const h = cmd === undefined ? undefined : Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!h) return HELP;
  const width = Math.max(0, ...h.options.map(([o]) => o.length));
  const options = h.options.length ? `\n\noptions:\n${h.options.map(([o, d]) => `  ${o.padEnd(width)}  ${d}`).join('\n')}` : '';
  return `usage: ${h.usage}\n\n${h.about}${options}\n\nexample:\n  ${h.example}\n\nexit codes: 0 ok, 1 bad usage or input, 2 model or runtime error`;
}

/** The command being run, so a usage error prints that command's help. */
let command: string | undefined;

/**
 * One `--input name=file`. Images (.png/.jpg) become the tensor `session`'s input `name` expects
 * (its size, layout and element type; pixels / 255 in RGB unless the preprocessing flags say otherwise).
 */
async function loadInput(spec: string, session?: InferenceSession, opt?: OptionReader): Promise<[string, Tensor]> {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--input expects name=file, got "${spec}"`);
  const name = spec.slice(0, eq), file = spec.slice(eq + 1);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch {
    throw new UsageError(`cannot read input file "${file}"`);
  }
  if (/\.(png|jpe?g)$/i.test(file)) {
    if (!session) throw new UsageError(`image inputs (${file}) need the model's input shape: use them with run`);
    const meta = session.inputMetadata.find((m) => m.name === name);
    if (!meta) throw new UsageError(`--input ${name}: the model has no input "${name}"; its inputs are: ${session.inputNames.join(', ')}`);
    const pp = opt ? preprocessOptions(opt) : {};
    const s = imageInputSpec(meta, pp);
    return [name, preprocessImage(await decodeImage(bytes, file), s.width, s.height, fittedOptions(s, pp)).tensor];
  }
  if (file.endsWith('.npy')) return [name, readNpy(bytes, file)];
  if (file.endsWith('.pb')) return [name, decodeValue(bytes, 'tensor') as Tensor];
  if (file.endsWith('.json')) {
    const j = JSON.parse(new TextDecoder().decode(bytes)) as { type?: string; dims: number[]; data: number[] };
    return [name, new Tensor((j.type ?? 'float32') as 'float32', j.data, j.dims)];
  }
  throw new UsageError(`unsupported input file "${file}": use .npy, .pb, .json ({type, dims, data}) or a .png/.jpg image`);
}

class UsageError extends Error {}

function summarize(t: Tensor): string {
  // float16 data is stored as bits: show the values.
  const d = (t.type === 'float16' ? halfArrayToFloat32(t.data as Uint16Array) : t.data) as ArrayLike<number | bigint | string>;
  const head = Array.from({ length: Math.min(8, t.size) }, (_, i) => (typeof d[i] === 'number' ? +(d[i] as number).toPrecision(6) : String(d[i]))).join(', ');
  let extra = '';
  if (t.type === 'float32' || t.type === 'float64' || t.type === 'float16') {
    let mx = -Infinity, arg = -1;
    for (let i = 0; i < t.size; i++) if ((d[i] as number) > mx) { mx = d[i] as number; arg = i; }
    extra = `  max ${mx.toPrecision(5)} at flat index ${arg}`;
  }
  return `${t.type}[${t.dims.join(', ')}]  ${head}${t.size > 8 ? ', …' : ''}${extra}`;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') { console.log(HELP); return cmd ? 0 : 1; }
  if (Object.hasOwn(COMMANDS, cmd)) command = cmd;
  const model = rest.find((a) => !a.startsWith('--') && !rest[rest.indexOf(a) - 1]?.startsWith('--'));
  const opt = (k: string) => rest.flatMap((a, i) => (a === `--${k}` && rest[i + 1] ? [rest[i + 1]!] : []));
  if (rest.includes('--help') || rest.includes('-h')) { console.log(helpFor(cmd)); return 0; }
  if (cmd === 'inspect') {
    if (!model) throw new UsageError('inspect needs a model path');
    console.log(await inspect(model));
    return 0;
  }
  if (cmd === 'run') {
    if (!model) throw new UsageError('run needs a model path');
    const backend = opt('backend')[0];
    const threads = opt('threads')[0];
    if (threads !== undefined && !/^[0-9]+$/.test(threads)) throw new UsageError(`--threads expects a whole number (0 = automatic), got "${threads}"`);
    const session = await InferenceSession.create(model, {
      ...(backend ? { executionProviders: [backend] } : {}), ...(threads !== undefined ? { intraOpNumThreads: Number(threads) } : {}),
      onProgress: progressBar(),
    });
    const feeds = Object.fromEntries(await Promise.all(opt('input').map((i) => loadInput(i, session, opt))));
    const t0 = performance.now();
    const out = await session.run(feeds);
    const ms = performance.now() - t0;
    const file = opt('output')[0];
    if (file) {
      const json = Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { type: t.type, dims: t.dims, data: Array.from(t.data as ArrayLike<number>, (v) => (typeof v === 'bigint' ? Number(v) : v)) }]));
      await writeFile(file, JSON.stringify(json));
      console.log(`wrote ${Object.keys(out).length} outputs to ${file}`);
    } else {
      for (const [k, t] of Object.entries(out)) console.log(`${k}: ${summarize(t)}`);
    }
    console.log(`backend ${session.backend} (${session.backendReason}); run ${ms.toFixed(1)} ms`);
    return 0;
  }
  if (cmd === 'bench' || cmd === '__bench-engine') {
    if (!model) throw new UsageError('bench needs a model path');
    const int = (k: string, dflt: number) => {
      const v = opt(k)[0];
      if (v === undefined) return dflt;
      if (!/^[1-9][0-9]*$/.test(v)) throw new UsageError(`--${k} expects a positive integer, got "${v}"`);
      return Number(v);
    };
    const runs = int('runs', 10), threads = int('threads', 1);
    if (cmd === '__bench-engine') {
      // Child process of `bench`: one engine, one JSON line.
      const feeds = opt('input').length ? Object.fromEntries(await Promise.all(opt('input').map((i) => loadInput(i)))) : syntheticFeeds(modelInputs(model));
      const { outputs: _o, outputNames: _n, ...r } = await measureEngine(model, opt('engine')[0] ?? 'wasm', feeds, runs, threads);
      console.log(JSON.stringify(r));
      return 0;
    }
    await readFile(model).catch(() => { throw new UsageError(`cannot read model file "${model}"`); });
    const backends = (opt('backend')[0] ?? 'wasm').split(',');
    console.log(`${model}: ${runs} runs after a warm-up, ${threads} thread(s), each engine in its own process`);
    let first: EngineResult | undefined;
    const results = await benchModel(model, {
      runs, threads, backends, inputs: opt('input'), peers: !rest.includes('--no-peers'),
      onResult: (r) => {
        if (!first && !('error' in r)) first = r;
        console.log(formatResult(r, first));
      },
    });
    return results.some((r) => 'error' in r && backends.includes(r.engine)) ? 2 : 0;
  }
  if (cmd === 'classify' || cmd === 'detect') {
    const image = model;
    if (!image) throw new UsageError(`${cmd} needs an image path`);
    await readFile(image).catch(() => { throw new UsageError(`cannot read image file "${image}"`); });
    const t0 = performance.now();
    const result = cmd === 'classify' ? await classify(image, opt) : await detect(image, opt);
    const ms = performance.now() - t0;
    const file = opt('output')[0];
    if (file) {
      await writeFile(file, JSON.stringify(result, null, 2));
      console.log(`wrote ${result.length} ${cmd === 'classify' ? 'classes' : 'detections'} to ${file}`);
    } else {
      console.log(cmd === 'classify' ? formatClassifications(result as never) : formatDetections(result as never));
    }
    console.error(`(${ms.toFixed(0)} ms including model load)`);
    return 0;
  }
  throw new UsageError(`unknown command "${cmd}"`);
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  if (e instanceof UsageError || e instanceof CliUsageError) { console.error(`wasmnn: ${e.message}\n\n${helpFor(command)}`); process.exitCode = 1; return; }
  if (e instanceof WasmnnError) { console.error(`wasmnn: ${e.message} [${e.code}]`); process.exitCode = 2; return; }
  console.error(e);
  process.exitCode = 2;
});
