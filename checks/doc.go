// Package checks holds cognitomon's detections as data: the rule types, the
// built-in catalogue (Builtins) and the baselines some rules compare with.
// It sits beside the root package as cmpopts sits beside cmp: the root runs
// checks ([cognitomon.Detect], [cognitomon.Detector]) and defines what a
// check is ([cognitomon.Check]); this package says which checks there are.
//
//   - EventRule counts events per key (an address, a sub, a client) in
//     tumbling or sliding windows, or the distinct values of a second key,
//     against a threshold or a learned baseline (BaselineMode).
//   - FailureStreakRule, SuccessAfterFailuresRule and the other sequence
//     rules follow one key through time; FirstSeenRule reports values a key
//     never showed in the reference window; AdminChangeRule matches risky
//     configuration changes.
//   - FailureRateRule, ThrottleRule, QuotaRule, QuotaThrottleRule and
//     TrailGapRule read the metrics (and the trail's record count).
//
// Every rule keeps bounded state (DetectInput.Limits) and says in its
// findings' notes when it had to drop some. The built-in rules and their
// thresholds are documented in docs/detections.md; to tune one, change the
// fields of its value from Builtins and use the changed value in its place.
//
// # Baselines
//
// LearnBaseline reads a reference window once and stores what each rule in
// baseline mode (and each FirstSeenRule) learned, by the rule's ID. A
// Baseline belongs to one pool; Save, LoadBaseline and ReadBaseline keep it
// in a versioned JSON file. Give it to the rules through their Learned
// field, or to Builtins through BuiltinOptions.Baseline.
package checks
