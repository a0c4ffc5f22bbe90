// The Go counterpart of examples/hello, written with Kong's own Go PDK: an
// ordinary go-pdk plugin server (ProtoBuf:1, `-dump`, `-kong-prefix DIR`,
// listening on DIR/go-hello.socket, named after the executable).
package main

import (
	"github.com/Kong/go-pdk"
	"github.com/Kong/go-pdk/server"
)

const (
	Version  = "0.1.0"
	Priority = 1
)

// Config is the plugin's configuration; go-pdk derives the schema from its
// exported fields (`message`: string) and fills it from Kong's JSON.
type Config struct {
	Message string `json:"message"`
}

func New() interface{} {
	return &Config{}
}

func (conf Config) Access(kong *pdk.PDK) {
	// Over ProtoBuf an absent header reads as "" (Kong answers nil, which
	// arrives as an empty String), not as an error.
	host, err := kong.Request.GetHeader("host")
	if err != nil {
		kong.Log.Err(err.Error())
		return
	}
	kong.Response.SetHeader("x-hello-from-go", "Go says "+conf.Message+" to "+host)
}

func main() {
	server.StartServer(New, Version, Priority)
}
