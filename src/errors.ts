/**
 * Typed errors. Every error a user can cause carries a stable `code` and names
 * the thing at fault (node, op, opset, input name, expected vs actual).
 */

/** Base class of every error wasmnn throws on purpose. */
export class WasmnnError extends Error {
  /** Stable machine-readable identifier, e.g. `ERR_MODEL_PARSE`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The model bytes are not a valid ONNX ModelProto (truncated, wrong wire type, absurd size…). */
export class ModelParseError extends WasmnnError {
  constructor(message: string, readonly offset?: number, options?: { cause?: unknown }) {
    super('ERR_MODEL_PARSE', offset === undefined ? message : `${message} (at byte ${offset})`, options);
  }
}

/** The graph is structurally invalid: cycles, dangling value names, duplicate outputs. */
export class InvalidGraphError extends WasmnnError {
  constructor(message: string) {
    super('ERR_INVALID_GRAPH', message);
  }
}

/** Describes a node for error messages: `Conv node "conv1"`. */
export function describeNode(n: { opType: string; domain?: string; name?: string }): string {
  const op = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}::${n.opType}` : n.opType;
  return `${op} node${n.name ? ` "${n.name}"` : ''}`;
}

/** No kernel exists for this op type, domain and opset. */
export class UnsupportedOpError extends WasmnnError {
  constructor(readonly opType: string, readonly domain: string, readonly opset: number, readonly nodeName: string, detail?: string) {
    super('ERR_UNSUPPORTED_OP',
      `unsupported op ${domain ? `${domain}::` : ''}${opType} (opset ${opset})${nodeName ? ` at node "${nodeName}"` : ''}${detail ? `: ${detail}` : ''}`);
  }
}

/** An attribute is missing, of the wrong type, or has a value the op rejects. */
export class InvalidAttributeError extends WasmnnError {
  constructor(readonly node: string, readonly attribute: string, message: string) {
    super('ERR_INVALID_ATTRIBUTE', `${node}: attribute "${attribute}": ${message}`);
  }
}

/** A feed is missing, unknown, or of the wrong element type or shape. */
export class InputError extends WasmnnError {
  constructor(code: 'ERR_MISSING_INPUT' | 'ERR_UNKNOWN_INPUT' | 'ERR_INPUT_TYPE' | 'ERR_INPUT_SHAPE' | 'ERR_UNKNOWN_OUTPUT', readonly inputName: string, message: string) {
    super(code, message);
  }
}

/** A node failed while running: bad runtime shapes or values. Names the node and op. */
export class KernelError extends WasmnnError {
  constructor(readonly node: string, message: string, options?: { cause?: unknown }) {
    super('ERR_KERNEL', `${node}: ${message}`, options);
  }
}

/** Thrown by kernels for invalid runtime input; the executor adds the node's name. */
export class OpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpError';
  }
}

/** The session was released or is otherwise unusable. */
export class SessionStateError extends WasmnnError {
  constructor(message: string) {
    super('ERR_SESSION_STATE', message);
  }
}

/**
 * A task pipeline was misused or fed something it cannot handle: unknown task, missing or
 * mismatched labels, unrecognised image format, wrong audio sample rate, unexpected model outputs.
 */
export class PipelineError extends WasmnnError {
  constructor(code: 'ERR_UNKNOWN_TASK' | 'ERR_PIPELINE_OPTION' | 'ERR_LABELS' | 'ERR_IMAGE_FORMAT' | 'ERR_PIPELINE_INPUT' | 'ERR_SAMPLE_RATE' | 'ERR_PIPELINE_MODEL', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * A model or data file could not be fetched, or what arrived is not what was asked for:
 * an HTTP error, an HTML page, a truncated body, bytes that are not a model. Names the URL.
 */
export class ModelFetchError extends WasmnnError {
  constructor(code: 'ERR_FETCH' | 'ERR_NOT_A_MODEL' | 'ERR_TRUNCATED', readonly url: string, message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Downloaded (or cached) bytes do not match the `integrity` the caller gave. */
export class IntegrityError extends WasmnnError {
  constructor(readonly url: string, readonly expected: string, readonly actual: string) {
    super('ERR_INTEGRITY', `"${url}" failed its integrity check: expected sha256 ${expected}, got ${actual}`);
  }
}

/** Loading was cancelled through the AbortSignal the caller passed (`name` is 'AbortError'). */
export class AbortError extends WasmnnError {
  constructor(readonly url: string, options?: { cause?: unknown }) {
    super('ERR_ABORTED', `loading "${url}" was aborted`, options);
  }
}
