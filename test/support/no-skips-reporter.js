// A Jest reporter that fails the run when any test is skipped or left as todo:
// a test that does not run proves nothing, so CI must not count it as green.
class NoSkipsReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    this.error = undefined;
    if (skipped > 0) {
      this.error = new Error(`${skipped} test(s) skipped or todo; remove .skip/.todo or delete the test.`);
      process.stderr.write(`\nFAILED: ${this.error.message}\n`);
    }
  }

  getLastError() {
    return this.error;
  }
}

module.exports = NoSkipsReporter;
