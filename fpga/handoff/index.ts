/** Hand-off packages: Vivado (non-project flow + IP packaging) and FuseSoC (CAPI2 core). See README.md. */
export {
  XILINX_PART_RE,
  partProblem,
  clockProblem,
  checkFpgaParams,
  periodNs,
  putHandoffDesign,
  type HandoffDesign,
  type TopWrapper,
  type WrappedTop,
} from './design.ts';
export {
  writeVivadoHandoff,
  vivadoXdc,
  vivadoBuildTcl,
  vivadoPackageIpTcl,
  busInterfacesOf,
  IP_VENDOR,
  IP_LIBRARY,
  IP_VERSION,
  type VivadoHandoffOptions,
  type VivadoHandoff,
  type BusInterface,
} from './vivado.ts';
export { writeFusesocHandoff, fusesocCore, coreVlnv, type FusesocHandoffOptions, type FusesocHandoff } from './fusesoc.ts';
export { TOP_WRAPPERS, findTopWrapper, axisReadme } from './wrappers.ts';
export { writeFiresimHandoff, type FiresimHandoff, type FiresimHandoffOptions } from '../firesim/package.ts';
