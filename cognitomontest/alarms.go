package cognitomontest

// registerAlarms adds the alarm operations to the server's routes. None yet.
func (f *CloudWatch) registerAlarms(r routes) {}
