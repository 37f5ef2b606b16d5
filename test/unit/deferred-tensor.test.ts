import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, deferredTensor } from '../../src/tensor.js';

test('a deferred tensor reads its data through its loader, on each read of data', () => {
  let reads = 0;
  const t = deferredTensor('float32', [2, 2], 4, () => { reads++; return new Float32Array([1, 2, 3, 4]); });
  assert.equal(reads, 0);
  assert.ok(t instanceof Tensor);
  assert.deepEqual([t.type, t.dims, t.size, t.location], ['float32', [2, 2], 4, 'cpu']);
  assert.deepEqual([...(t.data as Float32Array)], [1, 2, 3, 4]);
  void t.data;
  assert.equal(reads, 2);
});

test('a deferred tensor compares, lists and clones like a constructed one', () => {
  const data = new Float32Array([1, 2, 3]);
  const t = deferredTensor('float32', [3], 3, () => data);
  const u = new Tensor('float32', new Float32Array([1, 2, 3]), [3]);
  assert.deepEqual(t, u);
  assert.deepEqual(Object.keys(t).sort(), Object.keys(u).sort());
  assert.deepEqual(structuredClone(t), structuredClone(u));
  assert.ok(Object.isFrozen(t.dims));
});

test('deferred tensors keep their own loaders and dims apart', () => {
  const a = deferredTensor('int32', [1], 1, () => new Int32Array([7]));
  const b = deferredTensor('int32', [2], 2, () => new Int32Array([8, 9]));
  assert.deepEqual([[...(a.data as Int32Array)], [...(b.data as Int32Array)]], [[7], [8, 9]]);
  assert.deepEqual([a.dims, b.dims], [[1], [2]]);
});
