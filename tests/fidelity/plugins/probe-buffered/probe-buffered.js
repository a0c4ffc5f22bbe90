'use strict';
// The probe with a response handler: Kong turns on buffered proxying.
const { BufferedProbe, Schema } = require('../../probe.js')
module.exports = { Plugin: BufferedProbe, Schema, Version: '0.1.0', Priority: 0 }
