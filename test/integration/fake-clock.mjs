// Loaded into a spawned server with NODE_OPTIONS=--import=<this file>, for the session idle expiry test: the
// shortest idle time the server accepts is one minute (CLUVIO_MCP_SESSION_IDLE_MINUTES=1) and it looks for idle
// sessions once a minute, so waiting for real would cost the suite one to two minutes per run.
//
// - Date.now() runs FAKE_CLOCK_STEP_MS ahead each time the process receives SIGUSR2, which it acknowledges on
//   stderr with the JSON line {"msg":"fake clock advanced","offsetMs":…}.
// - A setInterval of exactly 60,000 ms (the idle-session sweep: min(60 s, idle time)) runs every 50 ms instead.
// Nothing else changes: timeouts, performance.now() and every other timer run on real time.
const step = Number(process.env.FAKE_CLOCK_STEP_MS);
if (!Number.isFinite(step) || step <= 0) throw new Error('fake-clock: set FAKE_CLOCK_STEP_MS');

const realNow = Date.now.bind(Date);
let offsetMs = 0;
Date.now = () => realNow() + offsetMs;

const realSetInterval = globalThis.setInterval;
globalThis.setInterval = function setInterval(handler, ms, ...args) {
  return realSetInterval(handler, ms === 60_000 ? 50 : ms, ...args);
};

process.on('SIGUSR2', () => {
  offsetMs += step;
  process.stderr.write(`${JSON.stringify({ msg: 'fake clock advanced', offsetMs })}\n`);
});
