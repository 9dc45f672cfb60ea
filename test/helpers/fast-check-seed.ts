import fc from 'fast-check';
import { wholeNumberFromEnv } from './env-number.ts';

/**
 * Property tests run with one fixed seed, so a run is repeatable and a failure shows again on the
 * next run of the same code. `FC_SEED` explores other inputs: `npm run properties` picks a random
 * seed, and fast-check prints it with any counterexample.
 */
fc.configureGlobal({ seed: wholeNumberFromEnv('FC_SEED', 20261130) });
