'use strict';
// The probe without a response handler: Kong proxies unbuffered.
const { Probe, Schema } = require('../../probe.js')
module.exports = { Plugin: Probe, Schema, Version: '0.1.0', Priority: 0 }
