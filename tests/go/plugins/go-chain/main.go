// One of a chain of plugins from three PDKs (tests/chain/), on Kong's Go
// PDK: priority 10, as js-chain's, so Kong runs the two by name, descending:
// js-chain, then go-chain. It shows in a header what the plugins before it
// left in kong.ctx.shared, and logs.
package main

import (
	"github.com/Kong/go-pdk"
	"github.com/Kong/go-pdk/server"
)

const (
	Version  = "0.1.0"
	Priority = 10
)

type Config struct{}

func New() interface{} {
	return &Config{}
}

func (conf Config) Access(kong *pdk.PDK) {
	handoff, err := kong.Ctx.GetSharedString("handoff")
	if err != nil {
		kong.Log.Err(err.Error())
		return
	}
	kong.Response.SetHeader("x-go-saw", handoff)
}

func (conf Config) Log(kong *pdk.PDK) {
	kong.Log.Info("go-chain logs")
}

func main() {
	server.StartServer(New, Version, Priority)
}
