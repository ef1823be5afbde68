// Package analysis summarises a stream of Cognito events: failures by reason
// and address, enumeration, password resets, MFA, token refreshes, machine
// clients, admin changes and traffic per event kind.
//
// Each analyzer is a [cognitomon.Consumer] that keeps its summary in
// bounded memory (ranked tables use the Space-Saving algorithm, see
// TopList), with a Summary method valid at any time for the events added so
// far. Feed several from one read of the events with [cognitomon.Consume],
// which also hands each the pass's [cognitomon.Coverage] (through Covered)
// for its summary, so that a summary says what it saw. Analyzers are not
// safe for concurrent use.
//
// The analyses describe; they do not judge. Findings come from the checks
// run by [cognitomon.Detect], which can share the same pass.
package analysis
