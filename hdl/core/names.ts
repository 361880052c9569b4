/** Verilog identifier rules for names given in builders. */

const keywords = new Set(
  ('always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config deassign default defparam design disable ' +
    'edge else end endcase endconfig endfunction endgenerate endmodule endprimitive endspecify endtable endtask event for force forever ' +
    'fork function generate genvar highz0 highz1 if ifnone incdir include initial inout input instance integer join large liblist ' +
    'library localparam macromodule medium module nand negedge nmos nor noshowcancelled not notif0 notif1 or output parameter pmos ' +
    'posedge primitive pull0 pull1 pulldown pullup pulsestyle_onevent pulsestyle_ondetect rcmos real realtime reg release repeat ' +
    'rnmos rpmos rtran rtranif0 rtranif1 scalared showcancelled signed small specify specparam strong0 strong1 supply0 supply1 table ' +
    'task time tran tranif0 tranif1 tri tri0 tri1 triand trior trireg unsigned use uwire vectored wait wand weak0 weak1 while wire wor ' +
    'xnor xor logic bit byte int shortint longint always_ff always_comb always_latch interface class string this type')
    .split(/\s+/),
);

/** Why `name` cannot be a builder-given Verilog name, or null when it can. */
export function nameProblem(name: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
    return name.startsWith('_')
      ? `name '${name}' starts with '_', which is reserved for generated temporaries`
      : `name '${name}' is not a Verilog identifier (letters, digits and '_', starting with a letter)`;
  }
  if (keywords.has(name)) return `name '${name}' is a Verilog/SystemVerilog keyword`;
  return null;
}

/** A stable module name from a base and parameters: moduleName('kv_minmax', {p: 8, w: 16}) = 'kv_minmax_p8_w16'. */
export function moduleName(base: string, params: Record<string, string | number | boolean> = {}): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}${typeof v === 'boolean' ? (v ? '1' : '0') : String(v).replace(/[^A-Za-z0-9]/g, '')}`);
  return [base, ...parts].join('_');
}
