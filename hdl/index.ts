/**
 * kvhdl's public DSL surface. Everything a generator needs comes from here; the implementation
 * lives in hdl/core (IR, builders, checks) and hdl/emit (Verilog).
 */
export { HType, UInt, SInt, Bool, log2Ceil, bitsFor } from './core/types.ts';
export { Expr, Var, Signal, lit, mux, cat, catList, rep, vecOf, minOf, maxOf, type Operand } from './core/expr.ts';
export { ModuleBuilder, MemoryHandle, InstanceHandle, type RegOptions, type MemOptions, type ModuleOptions } from './core/module-builder.ts';
export type { Module, Memory, Instance, Stmt, ParamValue, Property } from './core/ir.ts';
export { ElaborationError, formatDiagnostic, type Diagnostic, type DiagnosticKind } from './core/diagnostics.ts';
export { moduleName } from './core/names.ts';
export { emitDesign, emitModule, collectModules, type EmittedModule } from './emit/verilog.ts';
export { writeDesign, type WrittenModule } from './emit/write.ts';
export { propertiesOfVerilog, hasFormal, type EmittedProperty } from './emit/formal.ts';
