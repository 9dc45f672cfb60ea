// Prints Vitest's JSON results as the closing line CI reads: "N passed, N failed[, N skipped]".
// A second argument of 1 counts one more failure: the tests left the working tree changed.
// The third is Vitest's exit status: a run that failed without a failed test (an unhandled error
// between tests, say) counts as one failure, so the closing line never says "0 failed" for it.
import { readFileSync, existsSync } from 'node:fs';

const file = process.argv[2];
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
// Files that failed to load count as failures even though they ran no test.
const brokenFiles = r.testResults.filter((t) => t.status === 'failed' && t.assertionResults.length === 0).length;
let failed = r.numFailedTests + brokenFiles + (process.argv[3] === '1' ? 1 : 0);
if (failed === 0 && process.argv[4] !== undefined && process.argv[4] !== '0') {
  console.error(`Vitest ended with status ${process.argv[4]} although no test failed: see its "Unhandled Errors" above`);
  failed = 1;
}
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || r.numTotalTests === 0 ? 1 : 0);
