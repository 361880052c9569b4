/**
 * Co-simulation harness benchmarks on minmax (default config: 8 lanes x 16 bits), no stalls:
 *
 * - `cosim-minmax-throughput`: the harness's simulation loop (`report.simSeconds`) on ~1M random
 *   input beats, against a hand-written C++ Verilator testbench (bench/raw-tb/minmax_raw_tb.cpp)
 *   on the same Verilated model, built with the same Verilator flags, reading the same stimulus
 *   record file. Both time only their simulation loop (reset + beats + 100 drain cycles); the
 *   wall time of the whole `cosim()` call (golden model, files, simulation, compare) is an extra.
 * - `cosim-build-cold`: a build in an empty cache dir with ccache disabled (`CCACHE_DISABLE=1`).
 * - `cosim-build-cached`: the same design again in the same cache dir (a cache lookup).
 * - `cosim-build-ccache-warm`: a parameter change (minmax with 16 lanes) in an empty cache dir,
 *   with a private ccache that an earlier build (of the default design) has warmed: the usual
 *   "I changed a parameter" rebuild.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findUnit } from '../gen/registry.ts';
import { parseConfig } from '../gen/config.ts';
import type { StreamData } from '../gen/unit.ts';
import { cosim, formatReport, type CosimReport } from '../cosim/cosim.ts';
import type { DesignUnderTest } from '../hdl/ports/design.ts';
import { designFromModule } from '../hdl/ports/from-module.ts';
import { writeStimulus } from '../cosim/stimulus-files.ts';
import type { TxnTable } from '../data/transactions.ts';
import { cacheRoot, verilatorArgs } from '../cosim/verilator/build.ts';
import { runtimeSources } from '../cosim/verilator/runtime.ts';
import { runToolOrThrow } from '../toolchain/run-tool.ts';
import { ensureTools, findOnPath, toolVersion } from '../toolchain/tools.ts';
import { writeResult } from './result.ts';

const BEATS = 1_000_000;
const BUILD_BEATS = 1000;
const SIM_RUNS = 5;
const DRAIN_CYCLES = 100; // the harness's default drainCycles
const RESET_CYCLES = 5; // the harness's default resetCycles (the raw tb hard-codes 5 too)
const RAW_TB = path.join(path.dirname(fileURLToPath(import.meta.url)), 'raw-tb', 'minmax_raw_tb.cpp');

const log = (line: string): void => console.log(`[bench cosim] ${line}`);
const round = (x: number, digits = 4): number => Number(x.toPrecision(digits));
const seconds = (t0: number): number => (performance.now() - t0) / 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** FNV-1a over (uint16 min | uint16 max << 16) per output record: what the raw testbench prints. */
function outputChecksum(out: TxnTable): number {
  let h = 2166136261;
  for (let i = 0; i < out.count; i++) {
    const w = ((out.words[i * 2] & 0xffff) | ((out.words[i * 2 + 1] & 0xffff) << 16)) >>> 0;
    h = Math.imul((h ^ w) >>> 0, 16777619) >>> 0;
  }
  return h;
}

function check(r: CosimReport, what: string): void {
  if (!r.ok) throw new Error(`bench cosim: ${what} failed:\n${formatReport(r)}`);
}

/** Runs `fn` with extra environment variables set (for the tools it starts), then restores them. */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

interface RawRun {
  beats: number;
  cycles: number;
  outputs: number;
  checksum: number;
  seconds: number;
}

/**
 * Builds the raw testbench around the design's Verilated model with exactly the harness's
 * Verilator arguments (the testbench runtime's sources replaced by the raw source), in `<cache>/bench/raw-tb/<key>/`.
 * Returns the executable and whether it was already built.
 */
async function buildRawTb(design: DesignUnderTest, root: string): Promise<{ exe: string; cached: boolean; seconds: number }> {
  const t0 = performance.now();
  await ensureTools(['verilator']);
  const ccache = (await findOnPath('ccache', process.env.PATH)) !== undefined;
  const runtime = runtimeSources();
  const args = verilatorArgs(design, { ccache });
  if (args.slice(-runtime.length).join(' ') !== runtime.join(' ')) {
    throw new Error(`bench cosim: unexpected Verilator arguments (the runtime sources are not last): ${args.join(' ')}`);
  }
  args.splice(args.length - runtime.length, runtime.length, RAW_TB);
  const hash = createHash('sha256');
  hash.update(await toolVersion('verilator'));
  hash.update(JSON.stringify(verilatorArgs({ ...design, files: [] }, { ccache, jobs: 1 })));
  hash.update(await fs.readFile(RAW_TB));
  for (const f of design.files) hash.update(await fs.readFile(f));
  const key = hash.digest('hex').slice(0, 32);
  const base = path.join(root, 'bench', 'raw-tb');
  const dir = path.join(base, key);
  const exe = path.join(dir, 'minmax_raw_tb');
  if (existsSync(exe)) return { exe, cached: true, seconds: seconds(t0) };
  await fs.mkdir(base, { recursive: true });
  const tmp = await fs.mkdtemp(path.join(base, `.tmp-${key}-`));
  try {
    const r = await runToolOrThrow('verilator', args, {
      cwd: tmp,
      timeoutMs: 10 * 60 * 1000,
      env: { CCACHE_BASEDIR: base, CCACHE_NOHASHDIR: '1' },
    });
    await fs.writeFile(path.join(tmp, 'build.log'), `$ ${r.command}\n${r.stdout}\n${r.stderr}`);
    await fs.rename(path.join(tmp, 'obj', 'sim'), path.join(tmp, 'minmax_raw_tb'));
    await fs.rm(path.join(tmp, 'obj'), { recursive: true, force: true });
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(tmp, dir);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { exe, cached: false, seconds: seconds(t0) };
}

async function runRawTb(exe: string, inBin: string): Promise<RawRun> {
  const r = await runToolOrThrow(exe, [inBin, String(DRAIN_CYCLES)], { timeoutMs: 5 * 60 * 1000 });
  return JSON.parse(r.stdout.trim()) as RawRun;
}

export async function benchCosim(): Promise<void> {
  const tStart = performance.now();
  const unit = findUnit('minmax');
  if (!unit) throw new Error('bench cosim: no unit minmax');
  const cfg = parseConfig(unit, {}) as { lanes: number; width: number; stages: number };
  if (cfg.lanes * cfg.width !== 128) throw new Error(`bench cosim: the raw testbench is written for 128-bit in_data, default config is ${JSON.stringify(cfg)}`);
  const root = cacheRoot();
  await fs.mkdir(path.join(root, 'bench'), { recursive: true });
  const work = await fs.mkdtemp(path.join(root, 'bench', 'cosim-'));
  const loadBefore = os.loadavg()[0];
  try {
    const design = designFromModule(unit.build(cfg), path.join(work, 'rtl'));
    const inStream = design.streams.find((s) => s.dir === 'in')!;
    const goldenOf = (ins: StreamData): StreamData => unit.golden(cfg, ins);

    // ---- stimulus ---------------------------------------------------------------------------
    let t0 = performance.now();
    const stimulus = unit.randomStimulus(cfg, 1, BEATS);
    const stimulusSeconds = seconds(t0);
    const stride = stimulus[inStream.name].stride;
    if (stride !== 5) throw new Error(`bench cosim: expected 5-word input records, got ${stride}`);
    log(`${design.top}: ${BEATS} random beats generated in ${stimulusSeconds.toFixed(2)} s`);

    // ---- harness throughput -----------------------------------------------------------------
    // Build (or find) the simulator first, so that the measured calls are cached-build calls.
    const small = unit.randomStimulus(cfg, 2, BUILD_BEATS);
    const warm = await cosim(design, goldenOf, small, { log });
    check(warm, 'harness warm-up run');
    log(`harness simulator ${warm.buildCached ? 'found in the cache' : `built in ${warm.buildSeconds.toFixed(2)} s`}`);

    let expected: StreamData | undefined;
    let goldenSeconds = 0;
    const timedGolden = (ins: StreamData): StreamData => {
      const g0 = performance.now();
      expected = goldenOf(ins);
      goldenSeconds = seconds(g0);
      return expected;
    };
    t0 = performance.now();
    const first = await cosim(design, timedGolden, stimulus);
    const wallSecondsWholeCosim = seconds(t0);
    check(first, 'harness run');
    log(
      `cosim() on ${BEATS} beats: ${wallSecondsWholeCosim.toFixed(2)} s wall (golden model ${goldenSeconds.toFixed(2)} s), ` +
        `simulation ${first.simSeconds.toFixed(3)} s, ${first.cycles} cycles`,
    );
    // ---- raw baseline, interleaved with harness re-runs ---------------------------------------
    const raw = await buildRawTb(design, root);
    log(`raw testbench ${raw.cached ? 'found in the cache' : `built in ${raw.seconds.toFixed(2)} s`}`);
    const rawDir = path.join(work, 'raw');
    await fs.mkdir(rawDir, { recursive: true });
    const files = await writeStimulus(rawDir, design, stimulus);
    // Alternate the two so that background load (another process, the GC after the golden model)
    // hits both alike; the first harness run (with the golden model) is not a sample.
    const runs: CosimReport[] = [];
    const rawRuns: RawRun[] = [];
    for (let i = 0; i < SIM_RUNS; i++) {
      // The same simulation again; the golden output is reused so only the harness is repeated.
      const r = await cosim(design, () => expected!, stimulus);
      check(r, 'harness re-run');
      runs.push(r);
      rawRuns.push(await runRawTb(raw.exe, files[inStream.name].path));
    }
    const harnessSim = median(runs.map((r) => r.simSeconds));
    const harnessRun = runs.find((r) => r.simSeconds === harnessSim)!;
    const transactions = harnessRun.transactions[inStream.name];
    const harnessOutputs = harnessRun.transactions.out;
    log(`harness simulation loop: ${runs.map((r) => r.simSeconds.toFixed(3)).join(', ')} s (median ${harnessSim.toFixed(3)} s)`);
    const rawSim = median(rawRuns.map((r) => r.seconds));
    const rawRun = rawRuns.find((r) => r.seconds === rawSim)!;
    log(`raw testbench loop:      ${rawRuns.map((r) => r.seconds.toFixed(3)).join(', ')} s (median ${rawSim.toFixed(3)} s)`);
    const wantChecksum = outputChecksum(expected!.out);
    for (const rr of rawRuns) {
      if (rr.beats !== transactions || rr.outputs !== harnessOutputs || rr.checksum !== wantChecksum) {
        throw new Error(
          `bench cosim: the raw testbench disagrees with the harness: beats ${rr.beats} vs ${transactions}, ` +
            `outputs ${rr.outputs} vs ${harnessOutputs}, checksum ${rr.checksum} vs golden ${wantChecksum}`,
        );
      }
    }

    const value = transactions / harnessSim;
    const baseline = transactions / rawSim;
    writeResult({
      name: 'cosim-minmax-throughput',
      metric: 'harness simulation throughput, no stalls',
      value: round(value),
      unit: 'transactions/s',
      baseline: round(baseline),
      ratio: round(value / baseline, 3),
      cyclesPerSecond: round((harnessRun.cycles + RESET_CYCLES) / harnessSim),
      rawCyclesPerSecond: round((rawRun.cycles + RESET_CYCLES) / rawSim),
      wallSecondsWholeCosim: round(wallSecondsWholeCosim),
      goldenModelSeconds: round(goldenSeconds),
      stimulusGenerationSeconds: round(stimulusSeconds),
      transactions,
      outputs: harnessOutputs,
      cycles: harnessRun.cycles,
      rawCycles: rawRun.cycles,
      simSeconds: round(harnessSim),
      rawSimSeconds: round(rawSim),
      firstRunSimSeconds: round(first.simSeconds),
      simSecondsRuns: runs.map((r) => round(r.simSeconds)),
      rawSimSecondsRuns: rawRuns.map((r) => round(r.seconds)),
      ratioOfBestRuns: round(Math.min(...rawRuns.map((r) => r.seconds)) / Math.min(...runs.map((r) => r.simSeconds)), 3),
      config: cfg,
      loadAverage1m: round(loadBefore, 3),
    });

    // ---- builds -----------------------------------------------------------------------------
    const coldDir = await fs.mkdtemp(path.join(work, 'cache-cold-'));
    log('cold build (empty cache dir, CCACHE_DISABLE=1)...');
    const cold = await withEnv({ CCACHE_DISABLE: '1' }, () => cosim(design, goldenOf, small, { cacheDir: coldDir }));
    check(cold, 'cold-build run');
    if (cold.buildCached) throw new Error('bench cosim: the cold build was found in a fresh cache dir');
    const cached = await cosim(design, goldenOf, small, { cacheDir: coldDir });
    check(cached, 'cached-build run');
    if (!cached.buildCached) throw new Error('bench cosim: the second build in the same cache dir was not cached');
    writeResult({
      name: 'cosim-build-cold',
      metric: 'Verilator build of minmax default, empty cache dir, ccache disabled',
      value: round(cold.buildSeconds),
      unit: 's',
      buildCached: cold.buildCached,
      top: design.top,
      loadAverage1m: round(os.loadavg()[0], 3),
    });
    writeResult({
      name: 'cosim-build-cached',
      metric: 'build step of a second cosim() on the same design and cache dir',
      value: round(cached.buildSeconds),
      unit: 's',
      baseline: round(cold.buildSeconds),
      ratio: round(cached.buildSeconds / cold.buildSeconds, 3),
      buildCached: cached.buildCached,
    });

    // A private ccache, warmed by the default design, then a parameter change in a fresh cache dir.
    if (!(await findOnPath('ccache', process.env.PATH))) {
      log('ccache is not installed: no cosim-build-ccache-warm');
      return;
    }
    const ccacheDir = await fs.mkdtemp(path.join(work, 'ccache-'));
    const warmCacheDir = await fs.mkdtemp(path.join(work, 'cache-warm-a-'));
    const changedCacheDir = await fs.mkdtemp(path.join(work, 'cache-warm-b-'));
    const cfg16 = parseConfig(unit, { lanes: 16 }) as typeof cfg;
    const design16 = designFromModule(unit.build(cfg16), path.join(work, 'rtl16'));
    const small16 = unit.randomStimulus(cfg16, 3, BUILD_BEATS);
    log('ccache warm-up build (default design, empty private ccache)...');
    const { fill, changed, ccacheHits, ccacheMisses } = await withEnv({ CCACHE_DIR: ccacheDir }, async () => {
      const fill = await cosim(design, goldenOf, small, { cacheDir: warmCacheDir });
      check(fill, 'ccache warm-up run');
      await runToolOrThrow('ccache', ['--zero-stats']);
      log(`parameter change rebuild (${design16.top}, warm ccache)...`);
      const changed = await cosim(design16, (ins) => unit.golden(cfg16, ins), small16, { cacheDir: changedCacheDir });
      check(changed, 'parameter-change run');
      const stats = new Map(
        (await runToolOrThrow('ccache', ['--print-stats'])).stdout
          .split('\n')
          .map((l) => l.split('\t'))
          .filter((kv) => kv.length === 2)
          .map(([k, v]) => [k, Number(v)] as const),
      );
      const hits = (stats.get('direct_cache_hit') ?? 0) + (stats.get('preprocessed_cache_hit') ?? 0);
      return { fill, changed, ccacheHits: hits, ccacheMisses: stats.get('cache_miss') ?? 0 };
    });
    if (fill.buildCached || changed.buildCached) throw new Error('bench cosim: a build in a fresh cache dir was cached');
    writeResult({
      name: 'cosim-build-ccache-warm',
      metric: 'Verilator build after a parameter change (lanes 8 -> 16): empty cache dir, warm ccache',
      value: round(changed.buildSeconds),
      unit: 's',
      baseline: round(cold.buildSeconds),
      ratio: round(changed.buildSeconds / cold.buildSeconds, 3),
      top: design16.top,
      coldWithEmptyCcacheSeconds: round(fill.buildSeconds),
      ccacheHits,
      ccacheMisses,
      loadAverage1m: round(os.loadavg()[0], 3),
    });
    log(`done in ${seconds(tStart).toFixed(1)} s`);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
