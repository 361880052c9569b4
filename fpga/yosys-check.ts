// Synthesis smoke test with the system (Debian) Yosys: does the design synthesize, and how big is it?
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTool } from '../toolchain/run-tool.ts';
import { ensureTools } from '../toolchain/tools.ts';

export interface YosysCheckOptions {
  /** Synthesis command (default `synth -top <top>`); e.g. `synth_ice40 -top <top>` for LUT counts. */
  synthCommand?: string;
  cwd?: string;
  timeoutMs?: number;
}

export interface YosysCheckResult {
  /** Yosys exited 0, printed no ERROR and produced statistics. */
  ok: boolean;
  /** Total cells of the design below `top` (hierarchy expanded). */
  cells: number;
  /** Cell counts by type, e.g. { "$_XOR_": 6, "$_AND_": 3 }. */
  cellTypes: Record<string, number>;
  /** Each `Warning:` message (continuation lines joined with a space). */
  warnings: string[];
  /** Each error message (empty when ok). */
  errors: string[];
  command: string;
}

interface StatBlock {
  num_cells?: number;
  num_cells_by_type?: Record<string, number>;
}

/** Yosys script syntax: quote a word when needed. */
function ysQuote(word: string): string {
  if (/["\n]/.test(word)) throw new Error(`yosysSynthCheck: unsupported character in ${JSON.stringify(word)}`);
  return /^[A-Za-z0-9_./+-]+$/.test(word) ? word : `"${word}"`;
}

/** Messages starting with `prefix` at the start of a line, with indented continuation lines joined. */
function collect(log: string, isStart: (line: string) => boolean): string[] {
  const out: string[] = [];
  let cur: string | undefined;
  for (const line of log.split('\n')) {
    if (isStart(line)) {
      if (cur !== undefined) out.push(cur);
      cur = line.trim();
    } else if (cur !== undefined && /^\s+\S/.test(line)) {
      cur += ` ${line.trim()}`;
    } else if (cur !== undefined) {
      out.push(cur);
      cur = undefined;
    }
  }
  if (cur !== undefined) out.push(cur);
  return out;
}

/**
 * `yosys -q -f verilog -p "synth -top <top>; tee -q -o <tmp>/stat.json stat -json" <files>`:
 * reads the files with read_verilog, synthesizes generically and returns the cell statistics.
 */
export async function yosysSynthCheck(
  files: readonly string[],
  top: string,
  opts: YosysCheckOptions = {},
): Promise<YosysCheckResult> {
  if (files.length === 0) throw new Error('yosysSynthCheck: no Verilog files given');
  await ensureTools(['yosys']);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kvhdl-yosys-'));
  try {
    const statPath = path.join(tmp, 'stat.json');
    const synth = opts.synthCommand ?? `synth -top ${ysQuote(top)}`;
    const script = `${synth}; tee -q -o ${ysQuote(statPath)} stat -json`;
    // Files go as arguments (read with read_verilog because of -f verilog): no quoting problems.
    const r = await runTool('yosys', ['-q', '-f', 'verilog', '-p', script, ...files], {
      cwd: opts.cwd,
      timeoutMs: opts.timeoutMs,
    });
    const log = `${r.stderr}\n${r.stdout}`;
    const warnings = collect(log, (l) => /^Warning:/.test(l));
    const errors = collect(log, (l) => /ERROR:/.test(l));

    let cells = 0;
    let cellTypes: Record<string, number> = {};
    let haveStat = false;
    if (r.exitCode === 0) {
      try {
        const stat = JSON.parse(withoutHierarchyLines(await fs.readFile(statPath, 'utf8'))) as {
          design?: StatBlock;
          modules?: Record<string, StatBlock>;
        };
        const d: StatBlock | undefined =
          stat.design ?? (stat.modules ? stat.modules[`\\${top}`] ?? Object.values(stat.modules)[0] : undefined);
        if (d && typeof d.num_cells === 'number') {
          cells = d.num_cells;
          cellTypes = { ...(d.num_cells_by_type ?? {}) };
          haveStat = true;
        } else {
          errors.push('yosys produced no cell statistics');
        }
      } catch (e) {
        errors.push(`could not read yosys statistics: ${(e as Error).message}`);
      }
    }
    if (r.exitCode !== 0 && errors.length === 0) {
      errors.push(`yosys failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`);
    }
    return {
      ok: r.exitCode === 0 && errors.length === 0 && haveStat,
      cells,
      cellTypes,
      warnings,
      errors,
      command: r.command,
    };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Yosys 0.23 writes the text of its design-hierarchy listing (`  kv_skid_w129    1`) into the
 * middle of `stat -json` output for designs with submodules; those lines are dropped before parsing.
 */
export function withoutHierarchyLines(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^\s+[A-Za-z_$\\][^\s"]*\s+\d+\s*$/.test(l))
    .join('\n');
}
