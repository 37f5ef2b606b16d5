/** The wasmnn CLI: inspect and run on a model the test builds, clear errors and exit codes. */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Tensor } from '../../src/tensor.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { startModelServer } from '../helpers/model-server.js';
import { repoRoot, sharedDir, sharedOrSkip } from '../helpers/shared.js';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: repoRoot });

const dir = mkdtempSync(join(tmpdir(), 'wasmnn-cli-'));
const g = new GraphBuilder();
g.input('x', 'float32', ['batch', 3]);
g.init('w', new Tensor('float32', [1, 2, 3, 4, 5, 6], [3, 2]));
g.node('MatMul', ['x', 'w'], {}, ['y']);
g.output('y', 'float32', ['batch', 2]);
const model = join(dir, 'm.onnx');
writeFileSync(model, g.build());
writeFileSync(join(dir, 'x.json'), JSON.stringify({ type: 'float32', dims: [1, 3], data: [1, 1, 1] }));

describe('wasmnn CLI', () => {
  it('inspect prints inputs, outputs, ops and parameters', () => {
    const r = cli('inspect', model);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /x: float32\[batch, 3\]/);
    assert.match(r.stdout, /y: float32\[batch, 2\]/);
    assert.match(r.stdout, /1\s+MatMul\s+reference\s+native/);
    assert.match(r.stdout, /params\s+6 in 1 initializers/);
  });
  it('run computes and writes outputs', () => {
    const out = join(dir, 'out.json');
    const r = cli('run', model, '--input', `x=${join(dir, 'x.json')}`, '--output', out, '--backend', 'js');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote 1 outputs/);
  });
  it('a missing model file: clear message, exit 2', () => {
    const r = cli('inspect', join(dir, 'nope.onnx'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot read model file .*nope\.onnx/);
  });
  it('a bad input spec and an unknown command: usage, exit 1', () => {
    assert.equal(cli('run', model, '--input', 'oops').status, 1);
    const r = cli('frobnicate');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /unknown command "frobnicate"/);
  });
  it('<command> --help prints that command\'s usage, options and example; --help the overview', () => {
    for (const [cmd, option] of [['inspect', undefined], ['run', '--input name=file'], ['bench', '--runs N'], ['classify', '--top N'], ['detect', '--decoder fastestdet']] as const) {
      const r = cli(cmd, '--help');
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^usage: wasmnn ${cmd} `));
      assert.match(r.stdout, new RegExp(`example:\\n  wasmnn ${cmd} `));
      if (option) assert.ok(r.stdout.includes(option), `${cmd} --help lists ${option}`);
      assert.doesNotMatch(r.stdout, /wasmnn bench <model\.onnx> \[--runs N\]/, `${cmd} --help is not the overview`);
    }
    const all = cli('--help');
    assert.equal(all.status, 0);
    for (const cmd of ['inspect', 'run', 'bench', 'classify', 'detect']) assert.match(all.stdout, new RegExp(`^  wasmnn ${cmd} `, 'm'));
  });
  it('a usage error prints the failing command\'s own usage', () => {
    const r = cli('run', model, '--input', 'oops');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--input expects name=file, got "oops"\n\nusage: wasmnn run /);
    assert.doesNotMatch(r.stderr, /wasmnn detect/);
    assert.match(cli('frobnicate').stderr, /wasmnn inspect <model\.onnx>.*\n[^]*wasmnn detect/, 'an unknown command prints the overview');
  });
  it('a feed of the wrong shape names the input and both shapes', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ dims: [1, 4], data: [1, 1, 1, 1] }));
    const r = cli('run', model, '--input', `x=${join(dir, 'bad.json')}`);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /input "x": expected shape \[batch, 3\], got \[1, 4\]/);
  });
  it('run loads a model by URL, with progress on stderr and --threads', async () => {
    // The server lives in this process, so the CLI must run without blocking it.
    const server = await startModelServer({ '/m.onnx': { body: new Uint8Array(readFileSync(model)) } });
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'run', server.url('/m.onnx'),
        '--input', `x=${join(dir, 'x.json')}`, '--threads', '1'], { cwd: repoRoot, env: { ...process.env, WASMNN_CACHE_DIR: join(dir, 'cache') } });
      assert.match(stdout, /y: float32\[1, 2\]  9, 12/);
      assert.match(stderr, /^download /m);
      assert.match(stderr, /^ready /m);
      assert.equal(server.hits.get('/m.onnx'), 1);
    } finally {
      await server.close();
    }
    assert.match(cli('run', model, '--threads', 'two').stderr, /--threads expects a whole number/);
  });
  it('bench times wasmnn and the installed onnxruntime peers, each in its own process', () => {
    const r = cli('bench', model, '--runs', '3', '--backend', 'wasm,js');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^wasm +median +[0-9.]+ ms .* peak RSS +[0-9]+ MB/m);
    assert.match(r.stdout, /^js +median .*× wasm's time/m);
    assert.match(r.stdout, /^ort +median/m);
  });
  it('bench with bad options: usage, exit 1', () => {
    const r = cli('bench', model, '--runs', 'many');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--runs expects a positive integer, got "many"/);
    assert.equal(cli('bench', join(dir, 'nope.onnx')).status, 1);
  });
});

const squeeze = sharedOrSkip('models/squeezenet1.0-fp16', 'CLI classify (squeezenet)');
const fastest = sharedOrSkip('models/fastestdet', 'CLI detect (fastestdet)');
describe('wasmnn classify / detect on ../shared models', () => {
  it('classify: the kitten is a tabby', { skip: !squeeze }, () => {
    const r = cli('classify', join(squeeze!, 'orig/kitten_224.png'), '--model', join(squeeze!, 'model.onnx'),
      '--labels', join(sharedDir, 'labels/imagenet-1000.txt'), '--channels', 'bgr', '--rescale', '1', '--top', '3');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ 1\. tabby +[0-9.]+%/m);
    assert.equal(r.stdout.trim().split('\n').length, 3);
  });
  it('run takes an image as an input, shaped to the model\'s input', { skip: !squeeze }, () => {
    const r = cli('run', join(squeeze!, 'model.onnx'), '--input', `data_0=${join(squeeze!, 'orig/kitten_224.png')}`, '--channels', 'bgr', '--rescale', '1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /softmaxout_1: float16\[1, 1000, 1, 1\] .* max 0\.9[0-9]* at flat index 281/);
    const bad = cli('run', join(squeeze!, 'model.onnx'), '--input', `nope=${join(squeeze!, 'orig/kitten_224.png')}`);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /the model has no input "nope"; its inputs are: data_0/);
  });
  it('detect: boxes on wolves.jpg, written as JSON', { skip: !fastest }, () => {
    const out = join(dir, 'det.json');
    const r = cli('detect', join(fastest!, 'orig/wolves.jpg'), '--model', join(fastest!, 'model.onnx'), '--decoder', 'fastestdet',
      '--labels', join(sharedDir, 'labels/coco-80.txt'), '--score', '0.5', '--output', out);
    assert.equal(r.status, 0, r.stderr);
    const dets = JSON.parse(readFileSync(out, 'utf8')) as { label: string; score: number; box: Record<string, number> }[];
    assert.ok(dets.length >= 2);
    for (const d of dets) assert.ok(d.score >= 0.5 && d.box.x2! > d.box.x1! && d.box.y2! > d.box.y1!);
  });
  it('bad paths and options: a clear message and exit 1', { skip: !fastest }, () => {
    let r = cli('classify', join(dir, 'no-such.png'), '--model', join(fastest!, 'model.onnx'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot read image file .*no-such\.png/);
    r = cli('detect', join(fastest!, 'orig/wolves.jpg'), '--model', join(fastest!, 'model.onnx'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /detect needs --decoder/);
    r = cli('detect', join(fastest!, 'orig/wolves.jpg'), '--model', join(fastest!, 'model.onnx'), '--decoder', 'fastestdet', '--score', '7');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--score expects a number from 0 to 1, got "7"/);
    r = cli('classify', join(fastest!, 'orig/wolves.jpg'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /classify needs --model/);
  });
  it('a model file that is not a model: exit 2 with the parse error', { skip: !fastest }, () => {
    const r = cli('classify', join(fastest!, 'orig/wolves.jpg'), '--model', join(fastest!, 'orig/wolves.jpg'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /wasmnn: .*\[ERR_/);
  });
});
