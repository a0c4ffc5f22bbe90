'use strict';

// Calls whatever PDK function a request asks for, in the phase it asks for,
// so that tests can make calls the C++ PDK would refuse before sending
// (wrong phase, bad arguments) and see how mock-kong, as Kong, answers them.
//
// The request header `x-call-<phase>` holds JSON: {"method": "kong.x.y", "args": [...]}.
// In access, the result goes back to the client as the JSON header `x-result`.
async function callFromHeader(kong, phase) {
  const spec = await kong.request.getHeader('x-call-' + phase)
  if (spec === undefined || spec === null) {
    return
  }
  const { method, args } = JSON.parse(spec)
  let fn = kong
  for (const part of method.split('.').slice(1)) {
    fn = fn[part]
  }
  const result = await fn(...(args || []))
  if (phase === 'access') {
    await kong.response.setHeader('x-result', JSON.stringify(result === undefined ? null : result))
  }
}

class KongPlugin {
  constructor(config) {
    this.config = config
  }

  async access(kong) {
    await callFromHeader(kong, 'access')
  }

  async response(kong) {
    await callFromHeader(kong, 'response')
  }

  async log(kong) {
    await callFromHeader(kong, 'log')
  }
}

module.exports = {
  Plugin: KongPlugin,
  Schema: [],
  Version: '0.1.0',
  Priority: 0,
}
