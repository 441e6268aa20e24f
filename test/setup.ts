// Property tests draw fresh random cases on every developer run, to keep finding bugs; under
// CI (CI=true) they use one fixed seed, so that a CI verdict is reproducible and a failure can
// be replayed exactly. FC_SEED overrides both, to replay a counterexample fast-check printed.
import fc from 'fast-check';

const fixed = process.env['FC_SEED'] ?? (process.env['CI'] ? '20261124' : undefined);
if (fixed !== undefined) fc.configureGlobal({ seed: Number(fixed) });
