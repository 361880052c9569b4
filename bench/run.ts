/** npm run bench: every benchmark; results in bench/out/<name>.json. */
import { benchElaboration } from './elaboration.ts';

benchElaboration();
