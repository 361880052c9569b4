/** The kvhdl standard library: one concept per file. */
export * from './stream.ts';
export { skidBuffer, skidBufferModule } from './skid-buffer.ts';
export { fifo, fifoModule } from './fifo.ts';
export { reduceTree, treeLevels, registerLevels, minOp, maxOp, sumOp, type ReduceOp, type ReduceOptions, type ReduceResult } from './reduce-tree.ts';
export { counter, type Counter, type CounterOptions } from './counter.ts';
export { axi4Ports, axiLitePorts, axiSignals, type AxiPorts, type AxiSignal, type AxiWidths } from './axi.ts';
export { past, pastValid, stable, rose, fell, implies } from './temporal.ts';
export { streamContract, streamContracts } from './stream-contract.ts';
export { fifoInvariants, type FifoSignals } from './fifo-invariants.ts';
export { skidInvariants, type SkidSignals } from './skid-invariants.ts';
export { PIPELINE_PRESETS, DEFAULT_PIPELINE_PRESET, PIPELINE_PRESET_MEANING, type PipelinePreset } from './pipeline-preset.ts';
