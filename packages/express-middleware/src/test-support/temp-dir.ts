export { makeTempDir, manualClock } from '../../../../test-support/temp-dir.js'
