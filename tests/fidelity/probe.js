'use strict';

// A plugin on Kong's JavaScript PDK that asks Kong what a fixture tells it
// to and logs every answer, so that a fixture can state Kong's answer to each
// call and mock-kong is held to it.
//
// The configuration lists PDK calls per phase:
//   {"access": [["kong.service.request.set_header", "X-Foo", "new"],
//               ["kong.request.get_header", "X-Foo"],
//               {"call": "kong.log.serialize", "pick": ["request.id", "tries"]}],
//    "log": [...]}
// A call is [name, ...arguments] or {"call", "args", "pick"}; `pick` names
// fields of the answer (kong.log.serialize's JSON text is parsed first). The
// call "config" answers the configuration the plugin got, Kong's keys and
// resolved vault references included.
// Each answer is logged at notice level, one line per call or picked field:
//   access kong.request.get_header("X-Foo") -> "new"
//   access kong.log.serialize().request.id -> "..."
// Tables are printed with their keys sorted and nil as `nil`, so a line does
// not depend on the order Kong (a Lua table) gives keys in; raw bytes as text. A call Kong
// refuses raises, and Kong abandons the event: the fixture expects its error.

function canonical(value) {
  if (value === undefined || value === null)
    return 'nil'
  return JSON.stringify(sorted(value))
}

function sorted(value) {
  // Raw bytes (get_raw_body) arrive as a Uint8Array: printed as their text.
  if (value instanceof Uint8Array)
    return Buffer.from(value).toString('utf8')
  if (Array.isArray(value))
    return value.map(sorted)
  if (value !== null && typeof value === 'object') {
    const out = {}
    for (const key of Object.keys(value).sort())
      out[key] = sorted(value[key])
    return out
  }
  return value
}

function pick(value, path) {
  let v = value
  for (const part of path.split('.')) {
    if (v === undefined || v === null)
      return undefined
    v = v[part]
  }
  return v
}

function callOf(spec) {
  if (Array.isArray(spec))
    return { name: spec[0], args: spec.slice(1), pick: [] }
  return { name: spec.call, args: spec.args || [], pick: spec.pick || [] }
}

async function invoke(kong, name, args) {
  let fn = kong
  for (const part of name.split('.').slice(1))
    fn = fn[part]
  return fn(...args)
}

async function probe(kong, config, phase) {
  for (const spec of (config && config[phase]) || []) {
    const { name, args, pick: fields } = callOf(spec)
    const answer = name === 'config' ? config : await invoke(kong, name, args)
    const call = `${phase} ${name}(${JSON.stringify(args).slice(1, -1)})`
    if (fields.length === 0) {
      await kong.log.notice(`${call} -> ${canonical(answer)}`)
      continue
    }
    const parsed = typeof answer === 'string' ? JSON.parse(answer) : answer
    for (const field of fields)
      await kong.log.notice(`${call}.${field} -> ${canonical(pick(parsed, field))}`)
  }
}

// The phases a plugin server can run, except response, whose handler turns
// on buffered proxying (plugins/probe-buffered has it).
class Probe {
  constructor(config) {
    this.config = config
  }
  async certificate(kong) { await probe(kong, this.config, 'certificate') }
  async rewrite(kong) { await probe(kong, this.config, 'rewrite') }
  async access(kong) { await probe(kong, this.config, 'access') }
  async preread(kong) { await probe(kong, this.config, 'preread') }
  async log(kong) { await probe(kong, this.config, 'log') }
}

class BufferedProbe extends Probe {
  async response(kong) { await probe(kong, this.config, 'response') }
}

// The phases' call lists, and fields that take vault references.
const Schema = ['certificate', 'rewrite', 'access', 'preread', 'response', 'log']
  .map((phase) => ({ [phase]: { type: 'json' } }))
  .concat([
    { secret: { type: 'string', referenceable: true, one_of: ['plain'] } },
    { secrets: { type: 'array', elements: { type: 'string', referenceable: true } } },
    { headers: { type: 'map', keys: { type: 'string' }, values: { type: 'string', referenceable: true } } },
  ])

module.exports = { Probe, BufferedProbe, Schema }
