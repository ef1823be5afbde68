package analysis_test

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"

	"github.com/cognitomon/cognitomon"
	"github.com/google/go-cmp/cmp"
)

// analyze feeds seq to the consumers through Consume over the zero scope,
// as the analyses' tests want it.
func analyze(seq iter.Seq2[cognitomon.Event, error], cs ...cognitomon.Consumer) error {
	_, err := cognitomon.Consume(context.Background(), seq, cognitomon.Scope{}, cs...)
	return err
}

// equalRaw compares Event.Raw with bytes.Equal, much faster than cmp's
// reflection over a byte slice.
var equalRaw = cmp.Comparer(func(a, b json.RawMessage) bool { return bytes.Equal(a, b) })
