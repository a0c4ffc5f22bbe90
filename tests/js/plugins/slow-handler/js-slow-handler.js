'use strict';

// The JavaScript counterpart of bench/slow_handler.cc, on Kong's own PDK:
// the request's x-work header says what the access handler does between its
// two PDK calls ("block N" awaits a timer, "sleep N" blocks the thread, "cpu
// N" computes N µs), then it sets x-done to the header's value.
// bench/compare-handlers drives it.

let sink = 0n
function rounds (n) {
  let x = 0x9e3779b97f4a7c15n
  const mask = (1n << 64n) - 1n
  for (let i = 0; i < n; i++) {
    x = ((x * 6364136223846793005n + 1442695040888963407n) & mask) ^ (x >> 29n)
  }
  sink = x
}

// Rounds per microsecond: the best of five runs.
const roundsPerUs = (() => {
  let best = 0
  for (let trial = 0; trial < 5; trial++) {
    const start = process.hrtime.bigint()
    rounds(100000)
    const us = Number(process.hrtime.bigint() - start) / 1000
    best = Math.max(best, 100000 / us)
  }
  return best
})()

class KongPlugin {
  constructor (config) {
    this.config = config
  }

  async access (kong) {
    const work = (await kong.request.getHeader('x-work')) || ''
    const [kind, n] = work.split(' ')
    const us = Number(n)
    if (kind === 'block') {
      await new Promise((resolve) => setTimeout(resolve, us / 1000))
    } else if (kind === 'sleep') {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, us / 1000)
    } else if (kind === 'cpu') {
      rounds(Math.round(roundsPerUs * us))
    }
    await kong.response.setHeader('x-done', work)
  }
}

module.exports = {
  Plugin: KongPlugin,
  Schema: [],
  Version: '0.1.0',
  Priority: 0,
}
