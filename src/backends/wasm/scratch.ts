import type { Engine } from './engine.js';

/** `bytes` rounded up to 16, so regions laid end to end stay aligned for v128 loads. */
export const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** A reusable engine-memory region that grows (by doubling) to the largest request seen. */
export class Scratch {
  private ptr = 0;
  private bytes = 0;
  constructor(private readonly engine: Engine) {}

  get(bytes: number): number {
    if (bytes > this.bytes) {
      this.bytes = Math.max(bytes, this.bytes * 2);
      this.ptr = this.engine.alloc(this.bytes);
    }
    return this.ptr;
  }
}
