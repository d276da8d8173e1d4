// Preloaded into a service process (NODE_OPTIONS="--require …/cpu-profile-preload.cjs", CPU_PROFILE_DIR=…) so a
// benchmark can profile exactly its measured window: the first SIGUSR2 starts V8's sampling profiler, the second
// stops it and writes <dir>/<pid>-<process>.cpuprofile (open it in Chrome DevTools, or summarise it with
// bench/support/summarise-profile.ts). `--cpu-prof` itself is not allowed in NODE_OPTIONS and profiles start-up too.
/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a --require preload is CommonJS by nature */
'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const session = new inspector.Session();
session.connect();
let running = false;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 500 });
    session.post('Profiler.start');
    return;
  }
  running = false;
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    const name = (process.argv[1] ?? 'node').split(path.sep).slice(-3)[0];
    const file = path.join(process.env.CPU_PROFILE_DIR ?? '.', `${process.pid}-${name}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(result.profile));
  });
});
