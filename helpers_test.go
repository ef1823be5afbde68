package cognitomon_test

import (
	"context"
	"iter"

	"github.com/cognitomon/cognitomon"
)

// analyze feeds seq to the consumers through Consume over the zero scope,
// as the analyses' tests want it.
func analyze(seq iter.Seq2[cognitomon.Event, error], cs ...cognitomon.Consumer) error {
	_, err := cognitomon.Consume(context.Background(), seq, cognitomon.Scope{}, cs...)
	return err
}
