/**
 * Lazy loading of the native addons (build/softcot_cpu.node, build/softcot_cuda.node) and the NativeDevice that
 * exposes one as a DeviceApi. Nothing here runs at import time: a machine without the addons, a compiler or a GPU
 * imports this package cleanly, and isNativeAvailable() explains what is missing.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BlasInfo, DeviceApi, DeviceInfo, DeviceKind } from './api';

/** The raw N-API surface (see native/addon.cpp): the DeviceApi kernels plus init/loadBlas. */
export type NativeAddon = Omit<DeviceApi, 'kind' | 'info' | 'loadBlas' | 'memInfo'> & {
  device: DeviceKind;
  version: string;
  init(threads?: number): DeviceInfo;
  loadBlas(choice?: string): Omit<BlasInfo, 'tried'> & { tried: string };
  memInfo(): [number, number];
};

export const addonFile = (device: DeviceKind): string => `softcot_${device}.node`;

/** The environment variable that points at a prebuilt addon: SOFTCOT_CPU_ADDON, SOFTCOT_CUDA_ADDON. */
export const addonEnvVar = (device: DeviceKind): string => `SOFTCOT_${device.toUpperCase()}_ADDON`;

/** Where the addon of `device` is looked for, in order. */
export function addonCandidates(device: DeviceKind): string[] {
  const file = addonFile(device);
  const out: string[] = [];
  const fromEnv = process.env[addonEnvVar(device)];
  if (fromEnv) out.push(resolve(fromEnv));
  let here: string | undefined;
  try {
    here = dirname(fileURLToPath(import.meta.url));
  } catch {
    here = undefined;
  }
  if (here) {
    out.push(join(here, file)); // next to a bundle (.gpu/)
    out.push(join(here, '..', 'build', file)); // packages/backend-native/dist -> build
    out.push(join(here, '..', '..', 'build', file)); // packages/backend-native/src/device -> build
  }
  out.push(join(process.cwd(), 'packages', 'backend-native', 'build', file));
  return [...new Set(out)];
}

export type AddonLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

const cached = new Map<DeviceKind, AddonLoad>();

/** Load the addon of `device` once; never throws. */
export function loadAddon(device: DeviceKind, candidates?: string[]): AddonLoad {
  const hit = cached.get(device);
  if (hit && !candidates) return hit;
  const tried: string[] = [];
  const req = createRequire(import.meta.url);
  let result: AddonLoad | undefined;
  for (const p of candidates ?? addonCandidates(device)) {
    if (!existsSync(p)) {
      tried.push(`${p} (not found)`);
      continue;
    }
    try {
      result = { ok: true, addon: req(p) as NativeAddon, path: p };
      break;
    } catch (e) {
      tried.push(`${p} (${(e as Error).message.split('\n')[0]})`);
    }
  }
  result ??= {
    ok: false,
    reason: `native addon ${addonFile(device)} is not built or does not load (run scripts/build-native.sh ${device}; ` +
      `tried: ${tried.join(', ')})`,
  };
  if (!candidates) cached.set(device, result);
  return result;
}

const FORWARDED = [
  'rawMalloc', 'rawFree', 'upload', 'download', 'copy', 'sync', 'fill', 'unary', 'binary', 'select', 'stridedCopy',
  'reduce', 'softmax', 'gather', 'segmentSum', 'multinomial', 'topk', 'matmul',
] as const;

/** A DeviceApi over an addon: the kernels are the addon's own functions (no wrapper on the hot path). */
export class NativeDevice implements DeviceApi {
  readonly kind: DeviceKind;
  declare rawMalloc: DeviceApi['rawMalloc'];
  declare rawFree: DeviceApi['rawFree'];
  declare upload: DeviceApi['upload'];
  declare download: DeviceApi['download'];
  declare copy: DeviceApi['copy'];
  declare sync: DeviceApi['sync'];
  declare fill: DeviceApi['fill'];
  declare unary: DeviceApi['unary'];
  declare binary: DeviceApi['binary'];
  declare select: DeviceApi['select'];
  declare stridedCopy: DeviceApi['stridedCopy'];
  declare reduce: DeviceApi['reduce'];
  declare softmax: DeviceApi['softmax'];
  declare gather: DeviceApi['gather'];
  declare segmentSum: DeviceApi['segmentSum'];
  declare multinomial: DeviceApi['multinomial'];
  declare topk: DeviceApi['topk'];
  declare matmul: DeviceApi['matmul'];

  /** `threads`: cpu compute threads (0: every core this process may use). */
  constructor(private readonly addon: NativeAddon, private readonly threads = 0) {
    this.kind = addon.device;
    for (const name of FORWARDED) (this as unknown as Record<string, unknown>)[name] = addon[name];
  }
  info(): DeviceInfo {
    return this.addon.init(this.threads);
  }
  loadBlas(choice?: string): BlasInfo {
    const r = this.addon.loadBlas(choice ?? '');
    return { ok: r.ok, path: r.path, name: r.name, extra: r.extra || undefined, tried: r.tried.split('\n').filter(Boolean),
      error: r.error || undefined, version: r.version || undefined };
  }
  memInfo(): { free: number; total: number } {
    const [free, total] = this.addon.memInfo();
    return { free, total };
  }
}
