// Prints `tests: N passed, N failed[, N skipped]` from a jest --json result file.
// Exits non-zero when the file is missing, no test ran, or any test failed.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.test-results/jest.json';
if (!existsSync(file)) {
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
// A suite that failed to load counts as a failure even though it ran no test.
const brokenSuites = r.testResults.filter(
  (s) => s.status === 'failed' && s.assertionResults.length === 0,
).length;
const failed = r.numFailedTests + brokenSuites;
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`tests: ${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || r.numPassedTests === 0 ? 1 : 0);
