import { InputError } from '../../src/errors.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

/** The error reading the bundle at `dir` ends with; fails the test when it reads, or throws anything else. */
export function bundleError(dir: string): InputError {
  try {
    readEvidenceBundle(dir);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error(`expected ${dir} to be rejected`);
}
