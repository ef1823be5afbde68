package cognitomon_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/insights/*.golden from the catalogue")

func TestCatalogGolden(t *testing.T) {
	for _, q := range cognitomon.Catalog() {
		for _, v := range []struct {
			suffix string
			params cognitomon.QueryParams
		}{{"", cognitomon.QueryParams{}}, {".scoped", scopedParams(q)}} {
			text, err := q.Render(v.params)
			if err != nil {
				t.Fatalf("%s%s: %v", q.Name, v.suffix, err)
			}
			again, _ := q.Render(v.params)
			if again != text {
				t.Errorf("%s%s: two renderings differ", q.Name, v.suffix)
			}
			path := filepath.Join("testdata", "insights", q.Name+v.suffix+".golden")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(text+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestCatalogGolden -update)", err)
			}
			if diff := cmp.Diff(string(want), text+"\n"); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		}
	}
}

// TestCatalogDocs keeps docs/insights.md in step with the catalogue.
func TestCatalogDocs(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("docs", "insights.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range cognitomon.Catalog() {
		text, err := q.Render(cognitomon.QueryParams{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), "### "+q.Name+"\n") || !strings.Contains(string(doc), "```\n"+text+"\n```") {
			t.Errorf("docs/insights.md lacks a section for %s with its default text", q.Name)
		}
	}
}
