#!/usr/bin/env python3
"""Trains the demo's digit recognizer and exports it to ONNX.

Data: the handwritten digits that ship with scikit-learn (Debian python3-sklearn):
1,797 images of 8x8 cells, each cell counting the ink pixels (0..16) of a 4x4 block of
a 32x32 bitmap. The demo downsamples the user's drawing the same way, so the model
sees what it was trained on. A small CNN (about 20k parameters, under 200 KB as ONNX)
is trained on 80% of the data with small random affine distortions (drawings are rarely
centred and proportioned like the scans) and scored on the held-out 20%.

Run with Debian's python: /usr/bin/python3 scripts/train-digits.py
Writes demo/models/digits.onnx and demo/models/digits.json (accuracy and settings).
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 7
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'demo', 'models')


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),  # 8x8 -> 4x4
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32 * 4 * 4, 32), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x):
        # Inputs are ink counts 0..16, as in the dataset; scale inside the model so callers need no preprocessing.
        return self.head(self.features(x / 16.0))


def augment(x):
    """Random small affine distortions (shift up to a cell, scale 0.85-1.1, rotation up to 12 degrees,
    shear): drawings in the demo are rarely centred and proportioned like the scans."""
    n = x.shape[0]
    ang = (torch.rand(n) - 0.5) * 2 * math.radians(12)
    scale = 0.85 + torch.rand(n) * 0.25
    shear = (torch.rand(n) - 0.5) * 0.3
    tx, ty = (torch.rand(n) - 0.5) * 0.5, (torch.rand(n) - 0.5) * 0.5
    cos, sin = torch.cos(ang) / scale, torch.sin(ang) / scale
    theta = torch.stack([torch.stack([cos, -sin + shear, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False, padding_mode='zeros')


def main():
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    digits = load_digits()
    x = digits.images.astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, random_state=SEED, stratify=y)

    model = DigitNet()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    epochs, batch = 120, 64
    for epoch in range(epochs):
        model.train()
        perm = np.random.permutation(len(x_tr))
        xt = torch.from_numpy(x_tr)
        xa = augment(xt) if epoch % 3 else xt
        for i in range(0, len(perm), batch):
            idx = torch.from_numpy(perm[i:i + batch])
            opt.zero_grad()
            loss = loss_fn(model(xa[idx]), torch.from_numpy(y_tr)[idx])
            loss.backward()
            opt.step()

    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(x_te)).argmax(1).numpy()
    acc = float((pred == y_te).mean())
    params = sum(p.numel() for p in model.parameters())

    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, 'digits.onnx')
    torch.onnx.export(model, torch.zeros(1, 1, 8, 8), path, input_names=['image'], output_names=['logits'],
                      dynamic_axes={'image': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=13)
    size = os.path.getsize(path)
    report = {
        'dataset': 'scikit-learn load_digits (8x8 ink counts 0..16), 1797 images',
        'split': {'train': len(x_tr), 'test': len(x_te), 'random_state': SEED, 'stratified': True},
        'test_accuracy': round(acc, 4),
        'parameters': int(params),
        'onnx_bytes': size,
        'input': 'image float32 [batch, 1, 8, 8], ink counts 0..16 (4x4 blocks of a 32x32 drawing)',
        'output': 'logits float32 [batch, 10]',
        'epochs': epochs,
        'torch': torch.__version__,
    }
    with open(os.path.join(OUT, 'digits.json'), 'w') as f:
        json.dump(report, f, indent=2)
        f.write('\n')
    print(json.dumps(report, indent=2))
    if size > 200 * 1024:
        sys.exit(f'model is {size} bytes, over the 200 KB budget')


if __name__ == '__main__':
    main()
