import fc from 'fast-check';

/**
 * Property tests run with one fixed seed, so a run is repeatable and a failure shows again on the
 * next run of the same code. `FC_SEED` explores other inputs: `npm run properties` picks a random
 * seed, and fast-check prints it with any counterexample.
 */
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261130) });
