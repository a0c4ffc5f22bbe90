'use strict';

// One of a chain of plugins from three PDKs (tests/chain/), on Kong's
// JavaScript PDK: priority 10, as go-chain's, so Kong runs it first of the
// two (by name, descending). It shows in a header what cpp-chain left in
// kong.ctx.shared, adds its own name for go-chain, and logs.
class KongPlugin {
  constructor(config) {
    this.config = config
  }

  async access(kong) {
    const handoff = await kong.ctx.shared.get('handoff')
    await kong.response.setHeader('x-js-saw', String(handoff))
    await kong.ctx.shared.set('handoff', handoff + ' > js')
  }

  async log(kong) {
    await kong.log.info('js-chain logs')
  }
}

module.exports = {
  Plugin: KongPlugin,
  Schema: [],
  Version: '0.1.0',
  Priority: 10,
}
