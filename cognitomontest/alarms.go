package cognitomontest

// registerAlarms adds the alarm operations to the server's routes. None yet.
func (f *CloudWatch) registerAlarms(r routes) {}

// alarmStore holds the fake's alarms, guarded by CloudWatch.mu.
type alarmStore struct{}
