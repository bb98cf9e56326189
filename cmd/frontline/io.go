package main

import (
	"encoding/json"
	"io"
	"os"
)

// stdout is where commands print their results; tests replace it.
var stdout io.Writer = os.Stdout

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
