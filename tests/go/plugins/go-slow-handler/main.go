// The Go counterpart of bench/slow_handler.cc, on Kong's own Go PDK: the
// request's x-work header says what the access handler does between its two
// PDK calls ("block N" and "sleep N" wait N µs, "cpu N" computes N µs),
// then it sets x-done to the header's value. bench/compare-handlers drives it.
package main

import (
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/Kong/go-pdk"
	"github.com/Kong/go-pdk/server"
)

const (
	Version  = "0.1.0"
	Priority = 1
)

type Config struct{}

func New() interface{} {
	return &Config{}
}

var sink uint64

func rounds(n uint64) {
	x := uint64(0x9e3779b97f4a7c15)
	for i := uint64(0); i < n; i++ {
		x = (x*6364136223846793005 + 1442695040888963407) ^ (x >> 29)
	}
	sink = x
}

// Rounds per microsecond: the best of five 2,000,000-round runs.
var roundsPerUs = func() float64 {
	best := 0.0
	for trial := 0; trial < 5; trial++ {
		start := time.Now()
		rounds(2000000)
		rate := 2000000 / float64(time.Since(start).Microseconds()+1)
		if rate > best {
			best = rate
		}
	}
	return best
}()

func (conf Config) Access(kong *pdk.PDK) {
	work, err := kong.Request.GetHeader("x-work")
	if err != nil {
		kong.Log.Err(err.Error())
		return
	}
	kind, n, _ := strings.Cut(work, " ")
	us, _ := strconv.Atoi(n)
	switch kind {
	case "block":
		time.Sleep(time.Duration(us) * time.Microsecond) // parks the goroutine
	case "sleep":
		ts := syscall.NsecToTimespec(int64(us) * 1000)
		syscall.Nanosleep(&ts, nil) // blocks the OS thread
	case "cpu":
		rounds(uint64(roundsPerUs * float64(us)))
	}
	kong.Response.SetHeader("x-done", work)
}

func main() {
	server.StartServer(New, Version, Priority)
}
