#!/usr/bin/python3
"""Exports the PyTorch benchmark models into bench/models/ (npm run bench:models).

Random weights (fixed seed), ONNX opset 17, fixed shapes. For each model <name>:
  <name>.onnx              the model
  <name>.in.<k>.npy        input k (the fixed input bench/run-one.ts also uses)
  <name>.out.<k>.npy       PyTorch's output k for that input
  <name>.ref.json          names, types and shapes of those files, torch version
Idempotent: a model whose .onnx and .ref.json both exist is skipped (--force re-exports).

Needs Debian's PyTorch: apt-get install -y python3-torch python3-torchvision; run with
/usr/bin/python3 (the pyenv python3 first on PATH has no torch).
  /usr/bin/python3 bench/export_models.py [--force] [name ...]
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'models')
OPSET = 17
SEED = 1234


# ---- fixed inputs: the same rules as bench/run-one.ts uses for models without a ref ----

def ramp(shape):
    """float32 ramp k/n over the flattened tensor."""
    n = int(np.prod(shape))
    return (np.arange(n, dtype=np.float64) / n).astype(np.float32).reshape(shape)


def token_ids(shape):
    """int64 token ids in [0, 1000): (k * 37 + 101) % 1000, in range for any vocabulary >= 1000."""
    n = int(np.prod(shape))
    return ((np.arange(n, dtype=np.int64) * 37 + 101) % 1000).reshape(shape)


# ---- models ----

class MatMul1024(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(1024, 1024) / 32.0)

    def forward(self, x):
        return torch.matmul(x, self.weight)


class BertEmbeddings(nn.Module):
    def __init__(self, vocab, hidden, max_pos, type_vocab, eps):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, hidden)
        self.position_embeddings = nn.Embedding(max_pos, hidden)
        self.token_type_embeddings = nn.Embedding(type_vocab, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=eps)
        self.register_buffer('position_ids', torch.arange(max_pos).unsqueeze(0), persistent=False)

    def forward(self, input_ids, token_type_ids):
        seq = input_ids.shape[1]
        pos = self.position_ids[:, :seq]
        e = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids) + self.position_embeddings(pos)
        return self.LayerNorm(e)


class BertSelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.head_size = hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.head_size).permute(0, 2, 1, 3)

    def forward(self, h, ext_mask):
        q = self.split(self.query(h))
        k = self.split(self.key(h))
        v = self.split(self.value(h))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_size)
        scores = scores + ext_mask
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        b, s = ctx.shape[0], ctx.shape[1]
        return ctx.view(b, s, self.heads * self.head_size)


class BertLayer(nn.Module):
    def __init__(self, hidden, heads, inter, eps):
        super().__init__()
        self.attention = BertSelfAttention(hidden, heads)
        self.attention_output = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, inter)
        self.output = nn.Linear(inter, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, h, ext_mask):
        a = self.attention_norm(self.attention_output(self.attention(h, ext_mask)) + h)
        i = nn.functional.gelu(self.intermediate(a))  # exact (erf) GELU, as BERT's "gelu"
        return self.output_norm(self.output(i) + a)


class BertForSequenceClassification(nn.Module):
    """BERT-base as HF's BertForSequenceClassification computes it (eval mode, no dropout)."""

    def __init__(self, vocab=30522, hidden=768, layers=12, heads=12, inter=3072, max_pos=512, type_vocab=2, labels=2, eps=1e-12):
        super().__init__()
        self.embeddings = BertEmbeddings(vocab, hidden, max_pos, type_vocab, eps)
        self.layers = nn.ModuleList([BertLayer(hidden, heads, inter, eps) for _ in range(layers)])
        self.pooler = nn.Linear(hidden, hidden)
        self.classifier = nn.Linear(hidden, labels)
        self.apply(self._init)

    @staticmethod
    def _init(m):  # HF's BertPreTrainedModel._init_weights (initializer_range 0.02)
        if isinstance(m, (nn.Linear, nn.Embedding)):
            m.weight.data.normal_(0.0, 0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            m.bias.data.zero_()
        if isinstance(m, nn.LayerNorm):
            m.weight.data.fill_(1.0)
            m.bias.data.zero_()

    def forward(self, input_ids, attention_mask, token_type_ids):
        h = self.embeddings(input_ids, token_type_ids)
        ext = (1.0 - attention_mask[:, None, None, :].to(h.dtype)) * torch.finfo(h.dtype).min
        for layer in self.layers:
            h = layer(h, ext)
        pooled = torch.tanh(self.pooler(h[:, 0]))
        return self.classifier(pooled)


def calibrate_bn(model, batches=2, batch=8):
    """Sets BatchNorm running statistics from random images, so that activations keep a sane
    scale through the untrained network (with the default mean 0 / var 1 they vanish in
    MobileNetV2 and blow up in ResNet-50, which makes output comparisons meaningless)."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
            m.momentum = None  # cumulative average
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(batch, 3, 224, 224))
    return model.eval()


def build(name):
    """(module, input names, input arrays, output names) for one model."""
    torch.manual_seed(SEED)
    if name == 'matmul-1024':
        return MatMul1024(), ['x'], [ramp([1024, 1024])], ['y']
    if name == 'mobilenetv2':
        import torchvision
        return calibrate_bn(torchvision.models.mobilenet_v2(weights=None)), ['input'], [ramp([1, 3, 224, 224])], ['output']
    if name == 'resnet50':
        import torchvision
        return calibrate_bn(torchvision.models.resnet50(weights=None)), ['input'], [ramp([1, 3, 224, 224])], ['output']
    if name == 'bert-base':
        seq = 128
        return (BertForSequenceClassification(), ['input_ids', 'attention_mask', 'token_type_ids'],
                [token_ids([1, seq]), np.ones([1, seq], np.int64), np.zeros([1, seq], np.int64)], ['logits'])
    raise SystemExit(f'unknown model {name}')


MODELS = ['matmul-1024', 'mobilenetv2', 'resnet50', 'bert-base']


def export(name, force):
    onnx_path = os.path.join(OUT, f'{name}.onnx')
    ref_path = os.path.join(OUT, f'{name}.ref.json')
    if not force and os.path.exists(onnx_path) and os.path.exists(ref_path):
        print(f'{name}: exists, skipped')
        return
    t0 = time.time()
    model, in_names, inputs, out_names = build(name)
    model.eval()
    args = tuple(torch.from_numpy(a) for a in inputs)
    with torch.no_grad():
        outs = model(*args)
        if isinstance(outs, torch.Tensor):
            outs = (outs,)
        tmp = onnx_path + '.tmp'
        torch.onnx.export(model, args, tmp, opset_version=OPSET, input_names=in_names, output_names=out_names,
                          do_constant_folding=True)
    ref = {'model': f'{name}.onnx', 'torch': torch.__version__, 'opset': OPSET, 'seed': SEED, 'inputs': [], 'outputs': []}
    for k, (n, a) in enumerate(zip(in_names, inputs)):
        f = f'{name}.in.{k}.npy'
        np.save(os.path.join(OUT, f), a)
        ref['inputs'].append({'name': n, 'dtype': str(a.dtype), 'shape': list(a.shape), 'npy': f})
    for k, (n, o) in enumerate(zip(out_names, outs)):
        a = o.numpy()
        f = f'{name}.out.{k}.npy'
        np.save(os.path.join(OUT, f), a)
        ref['outputs'].append({'name': n, 'dtype': str(a.dtype), 'shape': list(a.shape), 'npy': f,
                               'head': [float(x) for x in a.reshape(-1)[:8]]})
    os.replace(tmp, onnx_path)
    with open(ref_path + '.tmp', 'w') as fh:
        json.dump(ref, fh, indent=1)
    os.replace(ref_path + '.tmp', ref_path)
    mb = os.path.getsize(onnx_path) / 1e6
    print(f'{name}: exported {mb:.1f} MB in {time.time() - t0:.1f} s, output {list(outs[0].shape)} head {ref["outputs"][0]["head"][:4]}')


def main():
    argv = sys.argv[1:]
    force = '--force' in argv
    names = [a for a in argv if not a.startswith('--')] or MODELS
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    for n in names:
        export(n, force)


if __name__ == '__main__':
    main()
