package schemas

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite jsonschema/*.json from Specs")

// TestJSONSchemaFiles: the committed JSON Schema files are exactly what the
// field tables generate, so Go validation and the files cannot drift.
func TestJSONSchemaFiles(t *testing.T) {
	want := map[string]bool{}
	for i := range Specs {
		s := &Specs[i]
		name := s.Type + ".json"
		want[name] = true
		gen := s.jsonSchema()
		path := filepath.Join("jsonschema", name)
		if *update {
			if err := os.WriteFile(path, gen, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, ok := JSONSchema(s.Type)
		if *update {
			got, _ = os.ReadFile(path)
			ok = true
		}
		if !ok || !bytes.Equal(got, gen) {
			t.Errorf("%s is not what Specs generate; run go test ./schemas -run TestJSONSchemaFiles -update", path)
		}
		if !json.Valid(gen) {
			t.Errorf("%s is not valid JSON", path)
		}
	}
	files, _ := filepath.Glob("jsonschema/*.json")
	for _, f := range files {
		if !want[filepath.Base(f)] {
			t.Errorf("%s belongs to no event type", f)
		}
	}
	if _, ok := JSONSchema("cs.unknown.v1"); ok {
		t.Error("JSONSchema of an unknown type")
	}
}
