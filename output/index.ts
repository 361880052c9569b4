/** The output layer: how every kvhdl command writes files into a user's tree (see README.md). */
export { OutputError } from './errors.ts';
export { OutputSet, outputDirProblem, type CommitSummary, type OutputSetOptions } from './writer.ts';
export { checkOutputsAvoidInputs } from './overlap.ts';
export { RECORD_FILE } from './record.ts';
export { commitSingleFile, precheckSingleFile } from './single-file.ts';
export { scratchDir, SCRATCH_MARKER } from './scratch.ts';
