import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { UserInputError } from '../config/issues.js';

/** Where a model comes from: a user's file, or bytes built in memory (the built-in scorers). */
export type ModelSource = { path: string } | { bytes: Uint8Array; label: string };

export interface RuntimeOptions {
  provider: 'cpu' | 'cuda' | 'auto';
  /** GPU index for cuda. */
  device: number;
  /** Intra-op threads; 0 lets onnxruntime choose. */
  threads: number;
}

export interface TensorInfo {
  name: string;
  type: string;
  /** Numbers for fixed sizes, strings for symbolic ones; empty when the model does not say. */
  shape: ReadonlyArray<number | string>;
}

export interface OpenedModel {
  session: ort.InferenceSession;
  label: string;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  provider: 'cpu' | 'cuda';
}

const CUDA_HELP =
  'onnxruntime-node ships CPU binaries only; its CUDA 12 provider is a separate download: run ' +
  '`ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js` where autombw is installed (needs CUDA 12 and cuDNN 9), ' +
  'or set provider: cpu (docs/scoring.md, "GPU scoring")';

function sourceLabel(source: ModelSource): string {
  return 'path' in source ? source.path : source.label;
}

/**
 * Whether onnxruntime-node's CUDA provider library is present next to its binding. Checked before
 * asking for CUDA because a failed attempt prints native errors that no option silences.
 */
export function cudaProviderInstalled(): boolean {
  const file = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  const dist = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
  return existsSync(path.join(dist, '..', 'bin', 'napi-v6', process.platform, process.arch, file));
}

/**
 * Loads a model for the requested provider. A model that cannot be loaded is a config problem
 * (UserInputError); so is a requested CUDA provider that is not installed, unless the provider is
 * `auto`, which falls back to the CPU and says so through `log`.
 */
export async function openModel(source: ModelSource, runtime: RuntimeOptions, log: (line: string) => void): Promise<OpenedModel> {
  const label = sourceLabel(source);
  if ('path' in source && !existsSync(source.path)) throw new UserInputError(`ONNX model not found: ${label}`);
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(runtime.threads > 0 ? { intraOpNumThreads: runtime.threads } : {}),
  };
  const create = (options: ort.InferenceSession.SessionOptions) =>
    'path' in source ? ort.InferenceSession.create(source.path, options) : ort.InferenceSession.create(source.bytes, options);
  const onCpu = async () => {
    try {
      return await create({ ...base, executionProviders: ['cpu'] });
    } catch (e) {
      throw new UserInputError(`cannot load ONNX model ${label}: ${firstLine(e)}`);
    }
  };

  let session: ort.InferenceSession;
  let provider: 'cpu' | 'cuda' = 'cpu';
  if (runtime.provider === 'cpu') {
    session = await onCpu();
  } else {
    try {
      if (!cudaProviderInstalled()) throw new Error('the CUDA provider library of onnxruntime-node is not installed');
      session = await create({ ...base, executionProviders: [{ name: 'cuda', deviceId: runtime.device }, 'cpu'] });
      provider = 'cuda';
    } catch (e) {
      session = await onCpu(); // a broken model throws here, which tells the two failures apart
      if (runtime.provider === 'cuda') {
        await session.release();
        throw new UserInputError(`CUDA execution provider unavailable for ${label}: ${firstLine(e)}. ${CUDA_HELP}`);
      }
      log(`scorer: CUDA unavailable (${firstLine(e)}); running ${label} on the CPU`);
    }
  }
  return { session, label, inputs: session.inputMetadata.map(info), outputs: session.outputMetadata.map(info), provider };
}

function info(meta: ort.InferenceSession.ValueMetadata): TensorInfo {
  return meta.isTensor ? { name: meta.name, type: meta.type, shape: meta.shape } : { name: meta.name, type: 'non-tensor', shape: [] };
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0].trim();
}

export function showShape(shape: ReadonlyArray<number | string>): string {
  return shape.length === 0 ? '[?]' : `[${shape.join(', ')}]`;
}
