// vitest globalSetup: the same check as `npm pretest`, so that `npx vitest` alone works.
import { ALL_TOOLS, ensureTools } from '../toolchain/tools.ts';

export default async function globalSetup(): Promise<void> {
  try {
    await ensureTools(ALL_TOOLS);
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    // One line, no stack trace: the message says what to install.
    process.stderr.write(`${msg.startsWith('kvhdl:') ? msg : `kvhdl: ${msg}`}\n`);
    process.exit(1);
  }
}
