'use strict';

// Bugs planted on purpose in a plugin on Kong's own JavaScript PDK, each
// behind an input mock-kong --fuzz has to find (tests/mock-kong/fuzz_test.cc),
// as tests/plugins/planted_bugs.cc plants them in a C++ one:
// - a long X-Note header (over 64 bytes) kills the plugin server;
// - a query flag `debug` (no "=") sends the handler into an endless loop,
//   which stops the server's one event loop;
// - an empty body declared as JSON throws (JSON.parse of "");
// - an X-Key value starting "KONG" throws behind four nested comparisons,
//   which blind fuzzing is not expected to pass.
// Otherwise it answers with an X-Planted response header.
function hasFlag(query, flag) {
  return (query || '').split('&').includes(flag)
}

class KongPlugin {
  constructor(config) {
    this.config = config
  }

  async access(kong) {
    const note = await kong.request.getHeader('x-note')
    if (note && note.length > 64) {
      process.abort()
    }
    const query = await kong.request.getRawQuery()
    if (hasFlag(query, 'debug')) {
      for (;;) {}
    }
    const type = await kong.request.getHeader('content-type')
    if (type && type.startsWith('application/json')) {
      const body = await kong.request.getRawBody()
      const json = JSON.parse(body === null || body === undefined ? '' : body.toString())
      await kong.service.request.setHeader('x-json-members', String(Object.keys(json || {}).length))
    }
    const key = (await kong.request.getHeader('x-key')) || ''
    if (key.length >= 4 && key[0] === 'K' && key[1] === 'O' && key[2] === 'N' && key[3] === 'G') {
      throw new Error('planted: the X-Key comparisons all held')
    }
    await kong.response.setHeader('x-planted', 'ok')
  }
}

module.exports = {
  Plugin: KongPlugin,
  Schema: [],
  Version: '0.1.0',
  Priority: 0,
}
