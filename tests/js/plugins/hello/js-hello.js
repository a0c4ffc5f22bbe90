'use strict';

// The JavaScript counterpart of examples/hello, written with Kong's own PDK.
class KongPlugin {
  constructor(config) {
    this.config = config
  }

  async access(kong) {
    const host = await kong.request.getHeader('host')
    if (host === undefined || host === null) {
      return await kong.log.err('unable to get header for request')
    }
    await kong.response.setHeader('x-hello-from-javascript',
      'Javascript says ' + this.config.message + ' to ' + host)
  }
}

module.exports = {
  Plugin: KongPlugin,
  Schema: [
    { message: { type: 'string' } },
  ],
  Version: '0.1.0',
  Priority: 0,
}
