package cognitomontest

import (
	"slices"
	"sync"
	"time"
)

// LogsOptions configure a Logs fake. Zero values mean the documented defaults.
type LogsOptions struct {
	// Now is the fake's clock. Default time.Now.
	Now func() time.Time
}

// Logs is an in-memory fake of the CloudWatch Logs API over simulated pools.
type Logs struct {
	pools []*Pool
	opts  LogsOptions

	mu      sync.Mutex
	calls   map[string]int
	filters metricFilterStore // see logsfilters.go
}

// NewLogs returns a Logs fake over the given pools.
func NewLogs(pools []*Pool, optFns ...func(*LogsOptions)) *Logs {
	var o LogsOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Logs{pools: slices.Clone(pools), opts: o, calls: map[string]int{}}
}

// Calls returns how many times operation op has been called.
func (f *Logs) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// register adds the fake's operations to the server's routes.
func (f *Logs) register(r routes) {
	f.registerMetricFilters(r)
}
