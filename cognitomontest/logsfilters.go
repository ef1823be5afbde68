package cognitomontest

// registerMetricFilters adds the metric-filter operations to the server's
// routes. None yet.
func (f *Logs) registerMetricFilters(r routes) {}

// metricFilterStore holds the fake's metric filters, guarded by Logs.mu.
type metricFilterStore struct{}
